"""The desk's words in English and Chinese. The member's ticket page speaks the ticket's
language; the moderators' pages show both."""

from __future__ import annotations

from markupsafe import Markup, escape

LABELS: dict[str, tuple[str, str]] = {
    # the member's ticket page
    "ticket": ("Ticket", "工单"),
    "status": ("Status", "状态"),
    "status_open": ("Open", "处理中"),
    "open_note": (
        "Our support team will answer here and in your chat with the bot.",
        "客服会在此页面以及您与机器人的聊天中回复您。",
    ),
    "status_closed": ("Closed", "已关闭"),
    "conversation": ("Conversation", "对话记录"),
    "author_user": ("You", "您"),
    "author_bot": ("Bot", "机器人"),
    "author_moderator": ("Support", "客服"),
    "author_note": ("Staff note (not shown to the member)", "内部备注（用户不可见）"),
    "no_messages": ("No messages yet.", "暂无消息。"),
    "add_details": ("Add details", "补充详情"),
    "add_details_hint": (
        "Describe the problem: what you did, what you expected, dates, amounts, "
        "transaction IDs. Never write a password, a seed phrase, a private key or a code.",
        "请描述问题：操作步骤、预期结果、时间、金额、交易哈希（TxID）。"
        "切勿填写密码、助记词、私钥或验证码。",
    ),
    "send": ("Send", "发送"),
    "sent": ("Added to your ticket.", "已添加到您的工单。"),
    "removed": (
        "Added to your ticket, but a secret was removed from it before it was saved: "
        "nobody at support will ever ask for it. If you shared it anywhere, change it now.",
        "已添加到您的工单，但其中的敏感信息在保存前已被删除：客服绝不会索要此类信息。"
        "如果您曾在别处透露过，请立即更改。",
    ),
    "empty": ("Please write something first.", "请先输入内容。"),
    "too_long": (
        "Not sent: at most 4,000 characters at once. Your text is below (any secret taken "
        "out): shorten it or send it in parts.",
        "未发送：每次最多 4000 个字符。您的内容在下方（敏感信息已删除），请缩短或分几次发送。",
    ),
    "not_rated": (
        "Your rating was not saved: pick 1 to 5 stars once the ticket is closed (a ticket is "
        "rated once).",
        "评分未保存：请在工单关闭后选择 1 到 5 星（每个工单只能评分一次）。",
    ),
    "closed_note": ("This ticket is closed.", "此工单已关闭。"),
    "closed_unsent": (
        "Not added: the ticket was closed before your text arrived. Your text is below (any "
        "secret taken out): ask the bot again in the chat to open a new ticket.",
        "未添加：您提交前工单已关闭。您的内容在下方（敏感信息已删除）：如仍需帮助，"
        "请在聊天中再次询问机器人以创建新工单。",
    ),
    "unsent_text": ("Your text (not sent)", "您的内容（未发送）"),
    "session_ended": (
        "Your session ended, so the reply was not sent. It is below (any secret taken out): "
        "log in, and you are taken back to the ticket.",
        "登录已过期，回复未发送。回复内容在下方（敏感信息已删除）：登录后将返回该工单。",
    ),
    "rate": ("How did we do?", "您对本次服务满意吗？"),
    "rate_send": ("Rate", "评分"),
    "rated": ("Thank you for your rating:", "感谢您的评分："),
    "safety": (
        "Support staff will never ask for your password, seed phrase, private key or 2FA "
        "codes, and never DM you first.",
        "客服绝不会索要您的密码、助记词、私钥或双重验证码，也不会主动私信您。",
    ),
    "opened": ("Opened", "创建时间"),
    # moderators
    "queue": ("Queue", "工单队列"),
    "login": ("Log in", "登录"),
    "logout": ("Log out", "退出"),
    "name": ("Name", "用户名"),
    "password": ("Password", "密码"),
    "change_password": ("Change password", "修改密码"),
    "current_password": ("Current password", "当前密码"),
    "new_password": ("New password (at least 10 characters)", "新密码（至少 10 个字符）"),
    "again_password": ("New password again", "再次输入新密码"),
    "password_wrong": ("The current password is wrong.", "当前密码错误。"),
    "password_mismatch": ("The two new passwords differ.", "两次输入的新密码不一致。"),
    "password_short": ("A password has at least 10 characters.", "密码至少需要 10 个字符。"),
    "password_long": ("A password has at most 1,024 characters.", "密码最多 1024 个字符。"),
    "password_changed": (
        "Password changed; your other sessions are logged out.",
        "密码已修改，您的其他会话已退出。",
    ),
    "login_failed": ("Wrong name or password.", "用户名或密码错误。"),
    "login_limited": (
        "Too many failed logins. Try again in 15 minutes.",
        "登录失败次数过多，请 15 分钟后再试。",
    ),
    "filter": ("Filter", "筛选"),
    "all": ("All", "全部"),
    "open": ("Open", "处理中"),
    "closed": ("Closed", "已关闭"),
    "mine": ("Mine", "我的"),
    "unclaimed": ("Unclaimed", "未认领"),
    "anyone": ("Anyone", "任何人"),
    "platform": ("Platform", "平台"),
    "language": ("Language", "语言"),
    "member": ("Member", "用户"),
    "claimed_by": ("Claimed by", "认领人"),
    "updated": ("Updated", "更新时间"),
    "last_message": ("Last message", "最新消息"),
    "reason": ("Reason", "原因"),
    "category": ("Category", "类别"),
    "no_tickets": ("No tickets match.", "没有符合条件的工单。"),
    "claim": ("Claim", "认领"),
    "release": ("Release", "释放"),
    "take_over": ("Take over", "接手"),
    "reply": ("Reply to the member", "回复用户"),
    "reply_hint": (
        "Delivered through the bot to the member's chat. Never ask for passwords, seed "
        "phrases, keys or codes.",
        "将通过机器人发送到用户的聊天中。切勿索要密码、助记词、私钥或验证码。",
    ),
    "close": ("Close ticket", "关闭工单"),
    "reply_sent": ("Reply queued for delivery.", "回复已进入发送队列。"),
    "reply_repeat": (
        "Not sent again: you sent this same reply seconds ago (a double click?). To send it "
        "twice on purpose, wait a few seconds.",
        "未重复发送：您几秒前刚发送过相同的回复（双击了？）。如确需再发一次，请稍候几秒。",
    ),
    "reply_kept": (
        "Reply kept in the ticket. Nobody receives it: the ticket came from the command line "
        "(supportbot ask or the console), which has no bot to deliver it.",
        "回复已保存在工单中，但不会送达：该工单来自命令行（supportbot ask 或控制台），"
        "没有机器人可以投递。",
    ),
    "no_delivery": (
        "This ticket came from the command line: replies are kept here, but no bot delivers them.",
        "该工单来自命令行：回复会保存在此，但没有机器人投递。",
    ),
    "newer": ("Newer", "较新"),
    "older": ("Older", "较早"),
    "sort": ("Order", "排序"),
    "sort_newest": ("Newest tickets", "最新工单"),
    "sort_activity": ("Last written in", "最近有消息"),
    "sort_waiting": ("Longest waiting", "等待最久"),
    "page": ("Page", "页码"),
    "reply_too_long": (
        "Not sent: at most 4,000 characters at once. Your reply is below (any secret taken "
        "out): shorten it or send it in parts.",
        "未发送：每次最多 4000 个字符。回复内容在下方（敏感信息已删除），请缩短或分几次发送。",
    ),
    "reply_removed": (
        "Reply queued, but a secret was removed from it first.",
        "回复已进入发送队列，但其中的敏感信息已被删除。",
    ),
    "claimed": ("Claimed.", "已认领。"),
    "claimed_by_other": (
        'A colleague claimed this ticket first (see "Claimed by"); "Take over" moves it to you.',
        "其他同事已先认领该工单（见“认领人”）；点击“接手”可转给您。",
    ),
    "released": ("Released.", "已释放。"),
    "confirm_close": (
        "Close this ticket? The member is asked for a rating at once.",
        "确定关闭该工单？系统会立即邀请用户评分。",
    ),
    "close_now": ("Yes, close it", "确认关闭"),
    "cancel": ("Cancel", "取消"),
    "reopen": ("Reopen", "重新打开"),
    "reopened": ("Reopened.", "已重新打开。"),
    "not_reopened": (
        "Not reopened: it is open already, or the member has opened another ticket in the "
        "same chat since (work that one).",
        "未能重新打开：该工单已处于处理中，或用户之后在同一聊天中创建了新工单（请处理新工单）。",
    ),
    "closed_done": ("Closed; the member is asked for a rating.", "已关闭，并邀请用户评分。"),
    "not_open": ("The ticket is not open.", "该工单未处于处理中。"),
    "reply_not_open": (
        "Not sent: the ticket was closed before your reply. Your reply is below (any secret "
        "taken out).",
        "未发送：工单已在您回复前关闭。回复内容在下方（敏感信息已删除）。",
    ),
    "deliveries": ("Deliveries", "发送记录"),
    "rating": ("Rating", "评分"),
    "back": ("Back to the queue", "返回队列"),
    "not_found": ("Not found", "未找到"),
    "not_found_text": (
        "There is nothing at this address. Check the link the bot gave you.",
        "此地址没有内容。请检查机器人提供的链接。",
    ),
    "forbidden": ("The form expired", "表单已过期"),
    "forbidden_text": ("Reload the page and try again.", "请刷新页面后重试。"),
}


def label(key: str, language: str) -> str:
    en, zh = LABELS.get(key, (key, key))
    return zh if language == "zh" else en


def both(key: str) -> Markup:
    """English, then the Chinese in a quieter span (the moderators' pages)."""
    en, zh = LABELS.get(key, (key, key))
    return Markup(f'{escape(en)} <span class="zh">{escape(zh)}</span>')

"""The bot's own sentences in each language. The knowledge YAML may override any of them
(``settings.templates.<lang>.<key>``); missing languages fall back to English."""

from __future__ import annotations

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "greeting": (
            "Hi! I'm the {exchange_name} support bot. Ask me a question in English or Chinese, "
            "type /faq for topics, or /ticket to reach a human."
        ),
        "help": (
            "Ask any question about accounts, trading, deposits, withdrawals or safety.\n"
            "/faq - browse topics\n/ticket - talk to a human\n"
            "Never send anyone your password, seed phrase, private key or 2FA codes: "
            "staff will never ask for them."
        ),
        "faq_intro": "Pick a topic:",
        "suggest_intro": "I'm not sure which of these you mean. Did you mean:",
        "none_of_these": "None of these",
        "handoff_requested": (
            "I've passed your request to our support team. Your ticket: {ticket_url}"
        ),
        "handoff_unknown": (
            "I don't have a good answer for that, so I've passed it to our support team. "
            "Your ticket: {ticket_url}"
        ),
        "handoff_existing": "Your ticket is still open, and I've added this to it: {ticket_url}",
        "handoff_moderator": (
            "A moderator opened support ticket #{ticket_id} for {user}; staff will follow up. "
            "Desk: {desk_url}\n{user} gets the ticket's link by sending me /ticket in a "
            "private chat."
        ),
        "handoff_moderator_existing": (
            "{user} already has support ticket #{ticket_id}; the message was added to it. "
            "Desk: {desk_url}"
        ),
        "handoff_moderator_no_link": (
            "A moderator opened a support ticket for {user}; staff will follow up."
        ),
        "handoff_no_link": (
            "I've passed this to our support team. I couldn't message you privately: open a "
            "private chat with me and send /ticket to get your ticket link."
        ),
        "feedback_question": "Did this answer your question?",
        "feedback_yes": "Yes",
        "feedback_no": "No",
        "feedback_thanks": "Glad it helped!",
        "button_outdated": (
            "That choice is no longer in our answers (they were updated). Here are the topics now:"
        ),
        "smalltalk_greeting": (
            "Hi! Ask me anything about {exchange_name}: your account, deposits and withdrawals, "
            "security. /faq lists the topics."
        ),
        "smalltalk_thanks": "You're welcome! If anything else comes up, just ask.",
        "not_your_buttons": "These buttons answer another member's question: ask me yours!",
        "smalltalk_goodbye": "Goodbye, and stay safe: staff never ask for your passwords or codes.",
        "rated": "Thank you! You rated ticket #{id}: {stars}",
        "rate_refused": (
            "Ticket #{id} can be rated once, after it is closed, by the member who opened it."
        ),
        "not_helpful_alternatives": "Sorry about that. Maybe one of these fits better:",
        "talk_to_human": "Talk to a human",
        "related": "Related:",
        "empty_message": "Send me your question as text, and I'll do my best to help.",
        "warn_intro": "Warning, {user}: your message contained sensitive information.",
        "warn_intro_anonymous": "Warning: your message contained sensitive information.",
        "warn_seed_phrase": (
            "A seed phrase gives full control of a wallet. Treat that wallet as compromised and "
            "move your funds to a new wallet now."
        ),
        "warn_private_key": (
            "A private key gives full control of its funds. Treat it as compromised and move the "
            "funds to a new wallet now."
        ),
        "warn_password": "Change that password right away and turn on two-factor authentication.",
        "warn_otp": "Never share 2FA or verification codes with anyone, staff included.",
        "warn_api_key": "Revoke that API key now and create a new one.",
        "warn_card_number": "Contact your card issuer to block the card if you think it was seen.",
        "warn_deleted": "I removed the message.",
        "warn_not_deleted": "Please delete the message yourself now.",
        "warn_staff_never_ask": "Staff will never ask for your passwords, codes or keys.",
        "warn_phishing": (
            "Careful: this message has a link that is not one of our official sites ({domains}). "
            "Only use the official website and check the address and HTTPS."
        ),
        "warn_lure": (
            "Careful: staff never message you first and never ask for passwords, codes, seed "
            "phrases or keys. Only get help through the official channels."
        ),
        "reloaded": "Knowledge reloaded: {count} entries.",
        "reload_failed": "The knowledge has errors, so I kept the previous version:\n{errors}",
        "not_moderator": "Only moderators can do that.",
        "escalate_usage": "Reply to a member's message with /escalate to open a ticket for them.",
        "unset_support_email": "the support e-mail address on the official website",
        "unset_live_chat_url": "the live chat on the official website",
        "unset_help_center_url": "the help centre on the official website",
        "unset_status_page_url": "the status page linked from the official website",
        "unset_complaint_url": "the complaints channel listed on the official website",
        "unset_twitter_url": "the official Twitter/X account",
        "unset_facebook_url": "the official Facebook page",
        "unset_community_url": "the official community forum",
    },
    "zh": {
        "greeting": (
            "你好!我是 {exchange_name} 客服机器人。可以用中文或英文提问,"
            "输入 /faq 查看常见问题,输入 /ticket 转人工客服。"
        ),
        "help": (
            "可以问我账户、交易、充值、提现和安全方面的问题。\n"
            "/faq - 浏览常见问题\n/ticket - 转人工客服\n"
            "不要把密码、助记词、私钥或二步验证码发给任何人:工作人员绝不会向你索要。"
        ),
        "faq_intro": "请选择一个主题:",
        "suggest_intro": "我不确定你问的是哪一个。你是想问:",
        "none_of_these": "都不是",
        "handoff_requested": "已将你的问题转给客服团队。你的工单:{ticket_url}",
        "handoff_unknown": "这个问题我暂时无法准确回答,已转给客服团队。你的工单:{ticket_url}",
        "handoff_existing": "你的工单仍在处理中,这条消息已加入工单:{ticket_url}",
        "handoff_moderator": (
            "管理员已为 {user} 创建客服工单 #{ticket_id},工作人员会跟进。工作台:{desk_url}\n"
            "{user} 私聊我并发送 /ticket 即可获取工单链接。"
        ),
        "handoff_moderator_existing": (
            "{user} 已有客服工单 #{ticket_id},这条消息已加入该工单。工作台:{desk_url}"
        ),
        "handoff_moderator_no_link": "管理员已为 {user} 创建客服工单,工作人员会跟进。",
        "handoff_no_link": "已转给客服团队。我无法私信你:请与我私聊并发送 /ticket 获取工单链接。",
        "feedback_question": "这个回答解决你的问题了吗?",
        "feedback_yes": "解决了",
        "feedback_no": "没有",
        "feedback_thanks": "很高兴能帮到你!",
        "button_outdated": "该选项已不在当前的解答中（内容已更新）。以下是现有主题：",
        "smalltalk_greeting": (
            "你好!关于 {exchange_name} 的账户、充值提现、安全等问题都可以问我,/faq 可查看所有主题。"
        ),
        "smalltalk_thanks": "不客气!还有其他问题随时问我。",
        "not_your_buttons": "这些按钮是给提问的用户的:有问题请直接问我!",
        "smalltalk_goodbye": "再见!请注意安全:工作人员绝不会向你索要密码或验证码。",
        "rated": "谢谢！您为工单 #{id} 的评分：{stars}",
        "rate_refused": "工单 #{id} 关闭后，只能由提交工单的用户评分一次。",
        "not_helpful_alternatives": "抱歉。也许下面的内容更合适:",
        "talk_to_human": "转人工客服",
        "related": "相关问题:",
        "empty_message": "请用文字发送你的问题,我会尽力帮你。",
        "warn_intro": "{user},请注意:你的消息包含敏感信息。",
        "warn_intro_anonymous": "请注意:你的消息包含敏感信息。",
        "warn_seed_phrase": "助记词可以完全控制钱包。请把该钱包视为已泄露,立即把资产转移到新钱包。",
        "warn_private_key": "私钥可以完全控制其中的资产。请视为已泄露,立即把资产转移到新钱包。",
        "warn_password": "请立即修改该密码,并开启二步验证。",
        "warn_otp": "不要把二步验证码或验证码告诉任何人,包括工作人员。",
        "warn_api_key": "请立即撤销该 API 密钥并重新创建。",
        "warn_card_number": "如果担心卡号泄露,请联系发卡行冻结该卡。",
        "warn_deleted": "我已删除该消息。",
        "warn_not_deleted": "请立即自行删除该消息。",
        "warn_staff_never_ask": "工作人员绝不会索要你的密码、验证码或密钥。",
        "warn_phishing": (
            "注意:这条消息中的链接不是我们的官方网站({domains})。"
            "请只使用官方网站,并检查网址和 HTTPS。"
        ),
        "warn_lure": (
            "注意:工作人员不会主动私信你,也绝不会索要密码、验证码、助记词或私钥。"
            "请只通过官方渠道寻求帮助。"
        ),
        "reloaded": "知识库已重新加载:{count} 条。",
        "reload_failed": "知识库有错误,继续使用上一个版本:\n{errors}",
        "not_moderator": "只有管理员可以这样做。",
        "escalate_usage": "请回复某位成员的消息并发送 /escalate,即可为其创建工单。",
        "unset_support_email": "官网公布的客服邮箱",
        "unset_live_chat_url": "官网上的在线客服",
        "unset_help_center_url": "官网上的帮助中心",
        "unset_status_page_url": "官网链接的系统状态页面",
        "unset_complaint_url": "官网公布的投诉渠道",
        "unset_twitter_url": "官方 Twitter/X 账号",
        "unset_facebook_url": "官方 Facebook 主页",
        "unset_community_url": "官方社区论坛",
    },
}

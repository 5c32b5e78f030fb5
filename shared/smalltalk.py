"""Greetings, thanks and short acknowledgements: said to a support bot all day, and never a
question for the knowledge. Matched against the knowledge they got a random answer or, with
nothing close, a ticket for staff to close. Only a message made of nothing else counts: "hi,
how do I reset my password" is a question.
"""

from __future__ import annotations

import re

# Whole-message patterns by kind, English and Chinese; punctuation, emoji and repeats around
# them are ignored (see kind_of).
_KINDS: dict[str, str] = {
    "greeting": (
        r"(?:hi+|hello+|hey+|hiya|yo|gm|good (?:morning|afternoon|evening|day)|greetings"
        r"|anyone (?:here|there)|is anyone (?:here|there)|are you there|you there"
        r"|how are you(?: doing)?|what'?s up|sup"
        r"|(?:你好|您好|哈喽|嗨|在吗|在不在|有人吗|有人在吗|早上好|早安|晚上好|下午好|大家好)+)"
    ),
    "thanks": (
        r"(?:thanks?(?: you)?(?: (?:so|very) much| a lot)?|thx|ty|tysm|cheers|appreciate it"
        r"|(?:ok(?:ay)?|great|cool|nice|perfect|got it)(?: thanks?(?: you)?| thx)?"
        r"|(?:thanks?(?: you)?|thx),? (?:that|it) (?:helped|helps|worked|works)"
        r"|(?:that|it) (?:helped|helps|worked|works)(?:,? thanks?(?: you)?)?"
        r"|ok|okay|k|alright|got it|understood|noted|i see|sure|fine"
        r"|(?:谢谢(?:你|您|啦|了)?|多谢|感谢(?:你|您)?|谢了|好的|好|嗯+|哦+|明白了?|知道了"
        r"|收到|懂了|了解|可以了|解决了|行|好吧|哈+)+)"
    ),
    "goodbye": r"(?:bye+|goodbye|see (?:you|ya)|good night|gn|(?:再见|拜拜|晚安|88)+)",
}
_PATTERNS = {kind: re.compile(rf"(?:{p})", re.IGNORECASE) for kind, p in _KINDS.items()}
# What may surround or join the words: punctuation, emoji, spaces.
_NOISE = re.compile(r"[\s!！?？.。,，~～、…:：;；'\"()（）\[\]\U0001F300-\U0001FAFF\u2600-\u27BF]+")
MAX_CHARS = 40  # longer than this, it says more than hello


def kind_of(text: str) -> str | None:
    """ "greeting", "thanks" or "goodbye" when ``text`` is only that; None otherwise.
    A greeting with thanks ("ok thanks bye") counts as the last kind said."""
    if not text or len(text) > MAX_CHARS:
        return None
    parts = [p for p in _NOISE.split(text.strip().lower()) if p]
    if not parts:
        return None
    phrase = " ".join(parts)
    for kind, pattern in _PATTERNS.items():
        if pattern.fullmatch(phrase):
            return kind
    # several short ones in a row: "ok thanks bye", "你好 在吗"
    found = None
    words = phrase.split(" ")
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):
            chunk = " ".join(words[i:j])
            match = next((k for k, p in _PATTERNS.items() if p.fullmatch(chunk)), None)
            if match:
                found, i = match, j
                break
        else:
            return None
    return found

"""Questions the sample wiki (examples/wiki) answers, as staff would ask them."""

QUESTIONS = [
    "How do I connect to the VPN from home?",
    "How do I reset my password?",
    "How do I request a new laptop?",
    "How do I file an expense report?",
    "How many vacation days do I get?",
    "How do I set up email on my phone?",
    "Where do I print securely?",
    "How do I get on the office Wi-Fi?",
    "How do I request new software?",
    "Who do I tell about a phishing email?",
]

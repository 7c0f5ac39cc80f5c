"""The foundation: settings, errors, user-facing text, logging, prices, model names, conversations.

Everything in deskbot may import this package; it imports nothing of ours from above.
"""

"""deskbot: the project namespace (foundation in deskbot.core; tone toolkit, simulator, CLI)."""

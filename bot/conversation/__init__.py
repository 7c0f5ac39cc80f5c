"""What every chat front end shares: dedupe, access rules, answer records, thread turns."""

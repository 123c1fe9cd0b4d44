"""Channel adapters behind small protocols: SMTP mail (aiosmtplib) and SMS (Twilio Messages API)."""

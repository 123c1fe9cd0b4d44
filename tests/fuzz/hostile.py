"""Hostile inputs a public form or a template will meet sooner or later."""

HOSTILE = [
    '{"$gt": ""}',
    "$where: sleep(1000)",
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }} {% raw %}",
    "Otsikko\r\nBcc: evil@example.com",
    "Nimi\nSubject: hijack",
    "\u202eevil\u202c txt.exe",
    "Kylätalo 🎉🇫🇮 👩‍👩‍👧",
    "Ääkköset ÅÄÖ åäö ß ø",
    "null\x00byte",
    "' OR '1'='1",
    "../../etc/passwd",
]
MEGABYTE = "A" * 1_000_000

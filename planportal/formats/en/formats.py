# English as an office reads it: "2 Dec 2026, 14:05" (Django's own ends "p.m." and a sentence adds a second dot).
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"

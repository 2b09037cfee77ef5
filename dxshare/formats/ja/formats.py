# Dates as people write them in Japan: 2027年1月29日（金）, 14:00 (Django's "D" is the weekday, translated: 金).
DATE_FORMAT = "Y年n月j日（D）"
DATETIME_FORMAT = "Y年n月j日（D） H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "Y/m/d"
SHORT_DATETIME_FORMAT = "Y/m/d H:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
FIRST_DAY_OF_WEEK = 0  # Sunday, as Japanese calendars print it

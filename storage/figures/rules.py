"""The figure rules: every word list and pattern the parser uses, in one table.

Why one module: the parser's behaviour should be reviewable (and extendable, e.g.
a new currency or unit) without reading the scanning code. Keys are lower-cased
token sequences as the tokenizer produces them (words, numbers and single
symbols; hyphens and apostrophes inside a word split it, except ’s/'s).
"""

from __future__ import annotations

# --- money -----------------------------------------------------------------

#: Currency symbols written before the number ("$49.7", "€3m"). "US$"/"HK$"
#: are a word token followed by "$", see ``CURRENCY_PREFIX_WORDS``.
CURRENCY_SYMBOLS: dict[str, str] = {
    "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₸": "KZT", "₽": "RUB", "₹": "INR",
    "₩": "KRW", "₺": "TRY", "₴": "UAH", "₼": "AZN", "₾": "GEL", "₦": "NGN", "₪": "ILS",
}

#: A word glued to "$" that names another dollar ("US$", "HK$", "C$").
CURRENCY_PREFIX_WORDS: dict[str, str] = {
    "us": "USD", "hk": "HKD", "c": "CAD", "ca": "CAD", "a": "AUD", "au": "AUD",
    "nz": "NZD", "s": "SGD", "nt": "TWD", "r": "BRL",
}

#: ISO 4217 codes recognised before or after a number ("USD 5bn", "5 mln KZT").
CURRENCY_CODES: frozenset[str] = frozenset(
    "USD EUR GBP JPY KZT RUB CNY INR CHF AUD CAD HKD SGD NZD SEK NOK DKK PLN CZK HUF TRY "
    "UAH AZN GEL AMD UZS KGS TJS TMT BYN MNT KRW BRL MXN ZAR NGN EGP SAR AED QAR KWD IRR "
    "ILS IDR MYR THB VND PHP PKR BDT".split()
)

#: Currency names written after the number ("422,000 euros", "5 mln tenge").
#: Multi-word names come first in matching because the longest match wins.
CURRENCY_WORDS: dict[tuple[str, ...], str] = {
    ("us", "dollars"): "USD", ("u.s.", "dollars"): "USD", ("american", "dollars"): "USD",
    ("hong", "kong", "dollars"): "HKD", ("canadian", "dollars"): "CAD",
    ("australian", "dollars"): "AUD", ("singapore", "dollars"): "SGD",
    ("dollars",): "USD", ("dollar",): "USD",
    ("euros",): "EUR", ("euro",): "EUR",
    ("pounds", "sterling"): "GBP", ("pounds",): "GBP", ("pound",): "GBP", ("sterling",): "GBP",
    ("yen",): "JPY", ("tenge",): "KZT",
    ("rubles",): "RUB", ("roubles",): "RUB", ("ruble",): "RUB", ("rouble",): "RUB",
    ("yuan",): "CNY", ("renminbi",): "CNY", ("rupees",): "INR", ("rupee",): "INR",
    ("swiss", "francs"): "CHF", ("francs",): "CHF", ("manat",): "AZN", ("manats",): "AZN",
    ("lari",): "GEL", ("drams",): "AMD", ("dram",): "AMD", ("soums",): "UZS", ("sums",): "UZS",
    ("som",): "KGS", ("somoni",): "TJS", ("hryvnias",): "UAH", ("hryvnia",): "UAH",
    ("lira",): "TRY", ("liras",): "TRY", ("won",): "KRW", ("zloty",): "PLN", ("zlotys",): "PLN",
    ("rand",): "ZAR", ("riyals",): "SAR", ("dirhams",): "AED",
}

# --- scale -----------------------------------------------------------------

#: Scale words and abbreviations after a number ("2 million", "$49.7bn", "5 mln").
SCALE_WORDS: dict[str, int] = {
    "thousand": 10**3, "k": 10**3,
    "million": 10**6, "mln": 10**6, "mn": 10**6, "m": 10**6,
    "billion": 10**9, "bn": 10**9, "bln": 10**9, "b": 10**9,
    "trillion": 10**12, "tn": 10**12, "trn": 10**12, "trln": 10**12,
}

#: Abbreviations that are a scale only when glued to the number or after a
#: currency ("€3m", "$5k"): spaced "5 m" is more often metres, "5 b" noise.
SCALE_NEEDS_MONEY: frozenset[str] = frozenset({"k", "m", "b"})

# --- percent -----------------------------------------------------------------

#: Percent markers after a number and the unit they give.
PERCENT_WORDS: dict[tuple[str, ...], str] = {
    ("%",): "%", ("percent",): "%", ("per", "cent"): "%", ("pct",): "%",
    ("percentage", "points"): "pp", ("percentage", "point"): "pp", ("pp",): "pp",
    ("p", ".", "p", "."): "pp", ("basis", "points"): "bp", ("basis", "point"): "bp",
    ("bps",): "bp",
}

# --- units (QUANTITY) ----------------------------------------------------------

#: Time units: a number with one of these is a duration or an age (QUANTITY).
TIME_UNITS: dict[tuple[str, ...], str] = {
    ("seconds",): "s", ("second",): "s", ("minutes",): "min", ("minute",): "min",
    ("hours",): "h", ("hour",): "h", ("hrs",): "h", ("days",): "d", ("day",): "d",
    ("weeks",): "wk", ("week",): "wk", ("months",): "mo", ("month",): "mo",
    ("years",): "yr", ("year",): "yr", ("decades",): "decade", ("decade",): "decade",
    ("centuries",): "century", ("century",): "century",
}

#: Physical units, long and short forms, and the symbol stored in ``unit``.
MEASURE_UNITS: dict[tuple[str, ...], str] = {
    ("kilometres",): "km", ("kilometers",): "km", ("kilometre",): "km", ("kilometer",): "km",
    ("km",): "km", ("metres",): "m", ("meters",): "m", ("metre",): "m", ("meter",): "m",
    ("miles",): "mi", ("mile",): "mi", ("feet",): "ft", ("foot",): "ft", ("ft",): "ft",
    ("centimetres",): "cm", ("cm",): "cm", ("millimetres",): "mm", ("mm",): "mm",
    ("inches",): "in", ("nautical", "miles"): "nmi",
    ("square", "kilometres"): "km2", ("square", "kilometers"): "km2", ("sq", "km"): "km2",
    ("km2",): "km2", ("km²",): "km2", ("square", "metres"): "m2", ("square", "meters"): "m2",
    ("sq", "m"): "m2", ("m²",): "m2", ("square", "miles"): "mi2", ("square", "feet"): "ft2",
    ("hectares",): "ha", ("hectare",): "ha", ("ha",): "ha", ("acres",): "acre", ("acre",): "acre",
    ("tonnes",): "t", ("tonne",): "t", ("tons",): "t", ("ton",): "t", ("metric", "tons"): "t",
    ("kilograms",): "kg", ("kilogrammes",): "kg", ("kg",): "kg", ("grams",): "g",
    ("lb",): "lb", ("lbs",): "lb", ("ounces",): "oz", ("oz",): "oz",
    ("barrels",): "bbl", ("barrel",): "bbl", ("bbl",): "bbl", ("litres",): "l", ("liters",): "l",
    ("gallons",): "gal", ("cubic", "metres"): "m3", ("cubic", "meters"): "m3", ("m3",): "m3",
    ("bcm",): "bcm",
    ("mw",): "MW", ("megawatts",): "MW", ("gw",): "GW", ("gigawatts",): "GW", ("kw",): "kW",
    ("kilowatts",): "kW", ("tw",): "TW", ("kwh",): "kWh", ("mwh",): "MWh", ("gwh",): "GWh",
    ("twh",): "TWh",
    ("km", "/", "h"): "km/h", ("mph",): "mph", ("knots",): "kn",
    ("degrees", "celsius"): "°C", ("°", "c"): "°C", ("degrees", "fahrenheit"): "°F",
    ("teu",): "TEU", ("gb",): "GB", ("tb",): "TB", ("mb",): "MB",
}

#: "30 times more": a multiplier, only before one of these words.
MULTIPLIER_WORD = "times"
MULTIPLIER_FOLLOWERS: frozenset[str] = frozenset(
    "more less higher lower larger bigger greater smaller faster cheaper as the over".split()
)

#: Words allowed between a number and its unit ("1,000 empty acres",
#: "twenty working days"); deliberately short so "two of the years" stays out.
UNIT_INTERVENING_WORDS: frozenset[str] = frozenset(
    "working business calendar consecutive straight full additional extra empty new more "
    "further light".split()
)

#: Age nouns: "children under 5", "people aged 65" give an age in years.
AGE_NOUNS: frozenset[str] = frozenset(
    "kids children child people adults those anyone teenagers boys girls men women".split()
)
AGE_LINKS: frozenset[str] = frozenset({"under", "over", "aged", "age"})

# --- written numbers -----------------------------------------------------------

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
TENS_WORDS: frozenset[str] = frozenset(
    "twenty thirty forty fifty sixty seventy eighty ninety".split()
)
HUNDRED_WORD = "hundred"
#: Scale words that may follow written numbers ("five thousand", "a million").
WORD_SCALES: dict[str, int] = {
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
}
DOZEN_WORD = "dozen"
#: Written numbers too ambiguous to be a figure on their own: "one" is nearly
#: always a determiner or pronoun ("one of the", "one thing").
WEAK_NUMBER_WORDS: frozenset[str] = frozenset({"one"})

# --- qualifiers ------------------------------------------------------------------

#: Words before a figure: (approximate, bound). Matched longest first; they stay
#: outside the span.
QUALIFIERS_BEFORE: dict[tuple[str, ...], tuple[bool, str | None]] = {
    ("more", "than"): (True, "lower"), ("over",): (True, "lower"), ("at", "least"): (True, "lower"),
    ("above",): (True, "lower"), ("in", "excess", "of"): (True, "lower"),
    ("upwards", "of"): (True, "lower"), ("no", "less", "than"): (True, "lower"),
    ("not", "less", "than"): (True, "lower"), ("greater", "than"): (True, "lower"),
    ("higher", "than"): (True, "lower"), ("just", "over"): (True, "lower"),
    ("exceeding",): (True, "lower"), ("at", "minimum"): (True, "lower"),
    ("less", "than"): (True, "upper"), ("fewer", "than"): (True, "upper"),
    ("under",): (True, "upper"), ("below",): (True, "upper"), ("up", "to"): (True, "upper"),
    ("at", "most"): (True, "upper"), ("no", "more", "than"): (True, "upper"),
    ("not", "more", "than"): (True, "upper"), ("as", "much", "as"): (True, "upper"),
    ("as", "many", "as"): (True, "upper"), ("as", "high", "as"): (True, "upper"),
    ("nearly",): (True, "upper"), ("almost",): (True, "upper"), ("just", "under"): (True, "upper"),
    ("close", "to"): (True, "upper"), ("lower", "than"): (True, "upper"),
    ("about",): (True, None), ("around",): (True, None), ("approximately",): (True, None),
    ("roughly",): (True, None), ("some",): (True, None), ("an", "estimated"): (True, None),
    ("estimated",): (True, None), ("circa",): (True, None), ("approx",): (True, None),
    ("~",): (True, None), ("nearly", "all"): (True, None), ("about", "some"): (True, None),
}

#: Words right after a figure that qualify it ("3,000 or more", "5,000-plus").
QUALIFIERS_AFTER: dict[tuple[str, ...], tuple[bool, str | None]] = {
    ("or", "more"): (True, "lower"), ("or", "above"): (True, "lower"),
    ("or", "less"): (True, "upper"), ("or", "fewer"): (True, "upper"),
    ("or", "so"): (True, None),
}

# --- change ----------------------------------------------------------------------

#: Verbs (any inflection listed) that make a following "by N" / "N" a change.
CHANGE_VERBS: dict[str, str] = {
    **dict.fromkeys(
        "rose rise rises rising risen increased increase increases increasing grew grow grows "
        "growing grown jumped jump jumps climbed climb climbs surged surge surges gained gain "
        "gains soared soar raised raise raises boosted boost expanded expand added up higher "
        "accelerated advanced".split(),
        "up",
    ),
    **dict.fromkeys(
        "fell fall falls falling fallen dropped drop drops declined decline declines declining "
        "decreased decrease decreases decreasing slid slide slumped slump lost lose loses "
        "losing cut cuts cutting reduced reduce reduces reducing shrank shrink shrinks "
        "contracted contract plunged plunge tumbled sank down lower lowered slowed eased "
        "narrowed".split(),
        "down",
    ),
}
#: Nouns that make "<noun> of N" a change ("growth of 5%", "a drop of 3%").
CHANGE_NOUNS: dict[str, str] = {
    **dict.fromkeys("growth increase rise gain jump surge hike".split(), "up"),
    **dict.fromkeys("decline decrease drop fall loss cut reduction contraction".split(), "down"),
}
#: Verbs that, before "from A to B", make A and B two levels, not a range.
FROM_TO_CHANGE_VERBS: frozenset[str] = frozenset(CHANGE_VERBS) | frozenset(
    "increased changed moved went shifted".split()
)

# --- things that look like numbers but are not figures ---------------------------------

#: A number right after one of these words is an identifier ("posts 542 and 543").
ID_WORDS: frozenset[str] = frozenset(
    "article articles section sections chapter chapters paragraph paragraphs clause clauses "
    "item items page pages post posts no nos number room rooms flight flights route routes "
    "highway line lines platform gate terminal unit units block lot lots version versions "
    "level phase stage grade category class type model seat seats row rule rules resolution "
    "amendment act code point points channel district ward building floor apartment bus "
    "train exit road street avenue box table figure fig step steps round rounds game".split()
)
#: Capitalised words that may stand right before a figure without making it a name.
CAPITALISED_FUNCTION_WORDS: frozenset[str] = frozenset(
    "in on at by for from to of and or but the a an with about around over some nearly almost "
    "more less up down than since until during between only just roughly approximately "
    "estimated total another all while after before as its their our his her this these those "
    "that tonight today yesterday last next between within exactly fully only just barely "
    "still then now also every each both monday tuesday wednesday thursday friday saturday "
    "sunday".split()
)

#: Words that cannot be the counted noun after a number ("9 to 10", "5 of the").
NOT_COUNTED: frozenset[str] = frozenset(
    "the a an of to in on at by for from with and or but nor is are was were be been being "
    "has have had will would can could should may might must shall do does did that which "
    "who whom whose this these those it its per than as so if when while after before since "
    "until not no more less am pm a.m p.m o'clock ago percent times each every what where "
    "there here then also only just about around over under up down out into onto off "
    "against among between through during across toward towards upon via".split()
)
#: Words that, before "N in M", make a ratio ("one in ten"), not a figure.
RATIO_LINKS: frozenset[str] = frozenset({"in", "out"})

# --- dates -----------------------------------------------------------------------------

MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
MONTH_ABBREVIATIONS: tuple[str, ...] = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
)
#: Years a bare four-digit number is read as (anything else is a count).
YEAR_RANGE: tuple[int, int] = (1800, 2100)
#: "the first nine months of 2024": the period words and their month counts.
PERIOD_PARTS: dict[str, int] = {"months": 1, "month": 1, "quarters": 3, "quarter": 3}
HALF_WORDS: frozenset[str] = frozenset({"half"})
ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1,
}
#: Day-number suffixes ("March 28th").
DAY_SUFFIXES: frozenset[str] = frozenset({"st", "nd", "rd", "th"})
#: Ordinal suffixes glued to a number: "13th", "21st" are ranks or names, not figures.
ORDINAL_SUFFIXES: frozenset[str] = DAY_SUFFIXES

# --- context: metric, period ------------------------------------------------------------

#: Verbs linking a metric to its figure ("turnover amounted to $49.7bn").
METRIC_LINK_VERBS: tuple[tuple[str, ...], ...] = (
    ("amounted", "to"), ("amounts", "to"), ("amount", "to"), ("totaled",), ("totalled",),
    ("totals",), ("totaling",), ("totalling",), ("reached",), ("reaches",), ("stood", "at"),
    ("stands", "at"), ("came", "to"), ("comes", "to"), ("was",), ("were",), ("is",), ("are",),
    ("hit",), ("exceeded",), ("accounted", "for"), ("account", "for"), ("made", "up"),
    ("rose", "to"), ("fell", "to"), ("increased", "to"), ("decreased", "to"), ("grew", "to"),
    ("dropped", "to"), ("declined", "to"), ("climbed", "to"), ("equalled",), ("equaled",),
)
#: A metric noun phrase is cut at the first of these (its period, place, source).
METRIC_CUT_WORDS: frozenset[str] = frozenset(
    "from in to during since between for by at on with among within over under after before "
    "which that who".split()
)
#: Nouns too generic to be a metric on their own ("a rate of 5.7%").
GENERIC_METRIC_NOUNS: frozenset[str] = frozenset(
    "rate total sum amount value level figure number share average record".split()
)
#: Leading words dropped from a counted noun phrase ("10,000 new jobs" -> "jobs").
COUNT_NOUN_DROP: frozenset[str] = frozenset({"new", "other", "more", "additional", "extra"})
DETERMINERS: frozenset[str] = frozenset(
    "the a an this that these those its their our his her my your some".split()
)
#: Rate periods after money ("$35 a month").
RATE_PERIODS: dict[tuple[str, ...], str] = {
    ("a", "year"): "annual", ("per", "year"): "annual", ("annually",): "annual",
    ("a", "month"): "monthly", ("per", "month"): "monthly", ("a", "week"): "weekly",
    ("an", "hour"): "hourly", ("per", "hour"): "hourly", ("a", "day"): "daily",
    ("per", "day"): "daily",
}

#: Abbreviations that do not end a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    "mr mrs ms dr prof st jr sr no nos vs etc e.g i.e u.s u.k u.n inc ltd co corp gen gov "
    "sen rep lt col sgt capt fig approx est dept univ mt ft".split()
) | frozenset(m.lower() for m in MONTH_ABBREVIATIONS)

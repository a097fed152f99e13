"""Write our own spreadsheet-style string tasks (FlashFill / BUSTLE style) with held-out tests.

Each task is a name, a category, a one-line description, a plain Python reference function (the
ground truth), a list of realistic inputs and a `witness`: one program of the strings DSL that
solves it, which shows the task is in reach of the DSL (checked here on every example) and whose
size ranks the tasks for the demo. Outputs come from the reference function; the first `train`
inputs (3 or 4, chosen to pin the intended program down) are the examples, the rest the tests.

    .venv/bin/python scripts/make_spreadsheet_tasks.py

writes datasets/strings/spreadsheet.jsonl (all tasks) and datasets/strings/demo.jsonl (the 10
with the smallest witnesses). No randomness: the output is the same on every run.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dsl.core import STRING, evaluate  # noqa: E402
from dsl.strings.parser import parse_program  # noqa: E402

OUT_DIR = ROOT / "datasets" / "strings"
DEMO_SIZE = 10


@dataclass
class Task:
    name: str
    category: str
    description: str
    reference: Callable[..., str]
    inputs: list  # each item: a string (one input) or a list of 1-3 strings
    witness: str  # a DSL program over x0, x1, x2 that agrees with `reference` on every input
    train: int = 3


# --- helpers for the reference functions ------------------------------------------------------

def after(s: str, sep: str) -> str:
    """Everything after the first `sep`."""
    return s.split(sep, 1)[1]


def before(s: str, sep: str) -> str:
    """Everything before the first `sep`."""
    return s.split(sep, 1)[0]


def first_name_only(name: str) -> str:
    return name.split(" ")[0]


def drop_middle(name: str) -> str:
    words = name.split(" ")
    return f"{words[0]} {words[-1]}"


def us_date_to_iso(date: str) -> str:
    month, day, year = date.split("/")
    return f"{year}-{month.zfill(2)}-{day.zfill(2)}"


def basename(path: str) -> str:
    return path.split("/")[-1]


def url_host(url: str) -> str:
    return after(url, "//").split("/")[0]


def url_path(url: str) -> str:
    rest = after(url, "//")
    return rest[rest.index("/"):]


def parens_to_minus(amount: str) -> str:
    return "-" + amount[1:-1] if amount.startswith("(") else amount


def truncate_title(title: str) -> str:
    return title if len(title) <= 20 else title[:17] + "..."


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:].lower()


# --- the tasks --------------------------------------------------------------------------------

TASKS = [
    # Person names
    Task("names_initials", "names", "Initials of a first and last name, upper-case, each followed by a dot",
         lambda s: f"{s.split(' ')[0][0]}.{s.split(' ')[1][0]}.".upper(),
         ["john smith", "Ada Lovelace", "grace HOPPER", "Li Wei", "alan turing", "Barbara Liskov",
          "ken thompson", "Margaret Hamilton", "edsger dijkstra", "Tim Berners-Lee"],
         '(str.to_upper (str.++ (str.at x0 0) (str.++ "." (str.++ (str.at x0 (+ (str.indexof x0 " " 0) 1)) "."))))'),
    Task("names_last_comma_first", "names", "Turn 'First Last' into 'Last, First'",
         lambda s: f"{after(s, ' ')}, {before(s, ' ')}",
         ["Jane Doe", "Bo Li", "Christopher Nolan", "Ada Lovelace", "Mohammed Salah", "Yuki Tanaka",
          "Olga Petrova", "Sam O'Brien", "Priya Raman", "Frank Zappa"],
         '(str.++ (str.substr x0 (+ (str.indexof x0 " " 0) 1) (str.len x0)) '
         '(str.++ ", " (str.substr x0 0 (str.indexof x0 " " 0))))'),
    Task("names_comma_to_first_last", "names", "Turn 'Last, First' (as exported by an HR system) into 'First Last'",
         lambda s: f"{after(s, ', ')} {before(s, ', ')}",
         ["Doe, Jane", "Nakamura, Ken", "Li, Bo", "Okafor, Chinwe", "Smith, John", "Van Dyke, Dick",
          "Garcia, Maria", "Ng, Andrew", "Johansson, Scarlett", "Ito, Aiko"],
         '(str.++ (str.substr x0 (+ (str.indexof x0 ", " 0) 2) (str.len x0)) '
         '(str.++ " " (str.substr x0 0 (str.indexof x0 "," 0))))'),
    Task("names_first_only", "names", "First name from a full name that may have middle names or be a single name",
         first_name_only,
         ["Robert James Fischer", "Zendaya", "Ana Lopez", "Mary Ann Evans", "Prince", "Jean-Luc Picard",
          "Li Na", "Karl Friedrich Gauss", "Bjork", "Tom Hanks"],
         '(ite (str.contains x0 " ") (str.substr x0 0 (str.indexof x0 " " 0)) x0)', train=4),
    Task("names_drop_middle", "names", "Keep only the first and last name, dropping one middle name or initial if present",
         drop_middle,
         ["Mary Ann Jones", "Tom Hanks", "George W. Bush", "Christopher Nolan", "John Fitzgerald Kennedy",
          "Li Na", "Sarah Jessica Parker", "Emma Watson", "Martin Luther King", "Ada Byron Lovelace"],
         '(ite (>= (str.indexof x0 " " (+ (str.indexof x0 " " 0) 1)) 0) '
         '(str.++ (str.substr x0 0 (str.indexof x0 " " 0)) '
         '(str.substr x0 (str.indexof x0 " " (+ (str.indexof x0 " " 0) 1)) (str.len x0))) x0)', train=4),
    Task("names_proper_case", "names", "Capitalise each word of a name typed in any case",
         lambda s: s.title(),
         ["mARY o'neil", "JOHN SMITH", "ada lovelace", "jean-luc picard", "VAN DER BERG", "li wei",
          "mcdonald", "sARAH jessica PARKER", "o'brien", "anne-marie"],
         "(excel.proper x0)"),
    Task("names_full_from_columns", "names", "Join a first-name and a last-name column into a capitalised full name",
         lambda first, last: f"{first} {last}".title(),
         [["john", "SMITH"], ["Ada", "lovelace"], ["GRACE", "Hopper"], ["li", "wei"], ["Alan", "TURING"],
          ["maria", "garcia"], ["KEN", "thompson"], ["Priya", "Raman"], ["bo", "LI"], ["Frances", "allen"]],
         '(excel.proper (str.++ x0 (str.++ " " x1)))'),
    Task("names_username", "names", "Login name: first initial plus last name, lower-case",
         lambda first, last: (first[0] + last).lower(),
         [["Jane", "Doe"], ["ROBERT", "Smith"], ["ada", "LOVELACE"], ["Li", "Wei"], ["Grace", "Hopper"],
          ["Mohammed", "Salah"], ["KEN", "THOMPSON"], ["Olga", "Petrova"], ["tim", "Cook"], ["Yuki", "Tanaka"]],
         "(str.to_lower (str.++ (str.at x0 0) x1))"),

    # Dates
    Task("dates_iso_to_dmy", "dates", "Reformat an ISO date 2024-03-15 as day/month/year 15/03/2024",
         lambda s: f"{s[8:10]}/{s[5:7]}/{s[0:4]}",
         ["2024-03-15", "1999-12-01", "2031-07-04", "2020-02-29", "1987-10-09", "2000-01-01", "2023-11-30",
          "2015-06-18", "1969-07-20", "2045-09-05"],
         '(str.++ (str.substr x0 8 2) (str.++ "/" (str.++ (str.substr x0 5 2) (str.++ "/" (str.substr x0 0 4)))))'),
    Task("dates_us_to_iso", "dates", "Reformat a US date m/d/yyyy (no leading zeros) as ISO yyyy-mm-dd",
         us_date_to_iso,
         ["3/5/2024", "12/25/2023", "7/14/1999", "10/3/2021", "1/1/2000", "11/30/2019", "9/9/2009",
          "6/21/1987", "2/28/2030", "12/7/1941"],
         '(str.++ (excel.right x0 4) (str.++ "-" (str.++ '
         '(excel.right (str.++ "0" (str.substr x0 0 (str.indexof x0 "/" 0))) 2) (str.++ "-" '
         '(excel.right (str.++ "0" (str.substr x0 (+ (str.indexof x0 "/" 0) 1) '
         '(- (- (str.len x0) 6) (str.indexof x0 "/" 0)))) 2)))))', train=4),
    Task("dates_year_from_us", "dates", "Year of a US date m/d/yyyy",
         lambda s: s.split("/")[2],
         ["3/15/2024", "12/1/1999", "07/04/2031", "1/1/2000", "10/31/1987", "6/9/2015", "11/22/1963",
          "2/29/2020", "8/16/2044", "5/05/2005"],
         "(excel.right x0 4)", train=4),
    Task("dates_month_number", "dates", "Month number of an ISO date, without a leading zero",
         lambda s: str(int(s[5:7])),
         ["2024-03-15", "2023-11-02", "2020-01-31", "1987-10-09", "1999-12-01", "2031-07-04", "2000-02-29",
          "2015-06-18", "2022-09-30", "2010-05-05"],
         "(int.to.str (str.to.int (str.substr x0 5 2)))", train=4),
    Task("dates_compact", "dates", "Compact an ISO date for a file name: drop the dashes",
         lambda s: s.replace("-", ""),
         ["2024-03-15", "1999-12-01", "2031-07-04", "2020-02-29", "1987-10-09", "2000-01-01", "2023-11-30",
          "2015-06-18", "1969-07-20", "2045-09-05"],
         '(str.replace_all x0 "-" "")'),
    Task("dates_from_timestamp", "dates", "Date part of a timestamp (ISO date followed by a time)",
         lambda s: s[:10],
         ["2024-03-15T09:30:00Z", "1999-12-31 23:59", "2031-07-04T18:00:00+02:00", "2020-02-29 00:00:01",
          "1987-10-09T12:05Z", "2000-01-01 08:15", "2023-11-30T17:45:10.123Z", "2015-06-18 06:00",
          "2010-05-05T05:05:05", "2045-09-05 21:30:00"],
         "(excel.left x0 10)"),
    Task("dates_month_name", "dates", "Month name from a written date like '15 March 2024'",
         lambda s: s.split(" ")[1],
         ["15 March 2024", "1 May 1999", "30 September 2031", "4 July 1776", "22 November 1963",
          "9 June 2015", "12 October 2022", "29 February 2020", "3 August 2008", "25 December 2023"],
         '(str.substr x0 (+ (str.indexof x0 " " 0) 1) (- (- (str.len x0) 6) (str.indexof x0 " " 0)))'),

    # File paths
    Task("paths_extension", "paths", "File extension (without the dot) of a path whose folders have no dots",
         lambda s: after(s, "."),
         ["docs/report.pdf", "budget.xlsx", "src/app/main.c", "README.md", "photos/2024/beach.jpeg",
          "notes/todo.txt", "lib/util.py", "C:/Users/ann/letter.docx", "data/sales.csv", "img/logo.svg"],
         '(str.substr x0 (+ (str.indexof x0 "." 0) 1) (str.len x0))'),
    Task("paths_stem", "paths", "File name up to its first dot (drops extensions such as .tar.gz)",
         lambda s: before(s, "."),
         ["quarterly_report.xlsx", "backup.tar.gz", "a.md", "holiday photo.jpeg", "main.c",
          "archive-2024.zip", "notes.txt", "site.min.js", "invoice_0042.pdf", "Makefile.am"],
         '(str.substr x0 0 (str.indexof x0 "." 0))'),
    Task("paths_top_folder", "paths", "Top-level folder of a relative path",
         lambda s: before(s, "/"),
         ["projects/nesy/README.md", "src/main.py", "photos/2024/june/beach.jpg", "docs/index.html",
          "data/raw/sales.csv", "tests/test_io.py", "assets/fonts/inter.woff2", "bin/run.sh",
          "notebooks/eda.ipynb", "home/ann/.bashrc"],
         '(str.substr x0 0 (str.indexof x0 "/" 0))'),
    Task("paths_basename", "paths", "File name of a path at most two folders deep",
         basename,
         ["src/main.py", "docs/img/logo.png", "README.md", "data/2024/sales.csv", "notes/todo.txt",
          "setup.cfg", "photos/june/beach.jpeg", "bin/run.sh", "assets/fonts/inter.woff2", "LICENSE"],
         '(ite (>= (str.indexof x0 "/" (+ (str.indexof x0 "/" 0) 1)) 0) '
         '(str.substr x0 (+ (str.indexof x0 "/" (+ (str.indexof x0 "/" 0) 1)) 1) (str.len x0)) '
         '(str.substr x0 (+ (str.indexof x0 "/" 0) 1) (str.len x0)))', train=4),
    Task("paths_windows_to_unix", "paths", "Turn a Windows path into one with forward slashes",
         lambda s: s.replace("\\", "/"),
         ["C:\\Users\\ann\\notes.txt", "docs\\readme.md", "..\\shared\\config.ini", "report.docx",
          "C:\\Program Files\\App\\app.exe", "E:\\photos\\2024\\beach.jpg", "C:\\temp", "Z:\\a\\b\\c\\d.txt",
          "D:\\data\\sales.csv", "C:\\Windows\\System32\\drivers\\etc\\hosts"],
         '(str.replace_all x0 "\\" "/")'),
    Task("paths_backup_name", "paths", "Backup copy name: insert '_backup' before the extension of a one-dot file name",
         lambda s: s.replace(".", "_backup.", 1),
         ["report.docx", "data.csv", "q3 budget.xlsx", "main.c", "photo.jpeg", "notes.md", "invoice_0042.pdf",
          "config.yaml", "index.html", "logo.svg"],
         '(str.replace x0 "." "_backup.")'),

    # E-mail addresses
    Task("email_user", "email", "User part of an e-mail address (before the @)",
         lambda s: before(s, "@"),
         ["jane.doe@example.com", "bob@globex.org", "a.b.c@mail.initech.io", "support@acme.co.uk",
          "first.last+news@gmail.com", "x@y.z", "ken_t@bell-labs.com", "sales-team@shop.example.net",
          "ada@analytical.engine", "noreply@github.com"],
         '(str.substr x0 0 (str.indexof x0 "@" 0))'),
    Task("email_domain", "email", "Domain of an e-mail address (after the @)",
         lambda s: after(s, "@"),
         ["jane.doe@example.com", "bob@globex.org", "a.b.c@mail.initech.io", "support@acme.co.uk",
          "first.last+news@gmail.com", "x@y.z", "ken_t@bell-labs.com", "sales-team@shop.example.net",
          "ada@analytical.engine", "noreply@github.com"],
         '(str.substr x0 (+ (str.indexof x0 "@" 0) 1) (str.len x0))'),
    Task("email_company", "email", "Company from a work e-mail: the domain name without its top-level domain",
         lambda s: before(after(s, "@"), "."),
         ["jane.doe@acme.com", "bob@globex.org", "a.b.c@initech.io", "support@umbrella.net", "ken_t@bell-labs.com",
          "x@y.z", "first.last@hooli.xyz", "sales.team@wayne-enterprises.com", "ada@babbage.co", "hr@stark.io"],
         '(str.substr x0 (+ (str.indexof x0 "@" 0) 1) '
         '(- (- (str.indexof x0 "." (str.indexof x0 "@" 0)) (str.indexof x0 "@" 0)) 1))'),
    Task("email_build", "email", "Work e-mail from first name, last name and company domain: first.last@domain, lower-case",
         lambda first, last, domain: f"{first}.{last}@{domain}".lower(),
         [["Jane", "Doe", "acme.com"], ["ROBERT", "Smith", "globex.org"], ["ada", "LOVELACE", "Babbage.co"],
          ["Li", "Wei", "initech.io"], ["Grace", "Hopper", "navy.mil"], ["KEN", "Thompson", "bell-labs.com"],
          ["Olga", "Petrova", "example.net"], ["Sam", "O'Brien", "hooli.xyz"], ["Priya", "Raman", "stark.io"],
          ["Bo", "Li", "wayne.com"]],
         '(str.to_lower (str.++ x0 (str.++ "." (str.++ x1 (str.++ "@" x2)))))'),
    Task("email_personal_or_work", "email", "Label an address 'personal' if it is at gmail.com, else 'work'",
         lambda s: "personal" if s.endswith("@gmail.com") else "work",
         ["jane.doe@gmail.com", "bob@globex.org", "gmail.fan@acme.com", "ada.l@gmail.com", "support@acme.co.uk",
          "first.last+news@gmail.com", "ken_t@bell-labs.com", "x@y.z", "mygmail@hooli.xyz", "ops@gmail.com"],
         '(ite (str.suffixof "@gmail.com" x0) "personal" "work")', train=4),

    # URLs
    Task("urls_host", "urls", "Host name of a URL (http or https, with or without a path)",
         url_host,
         ["https://www.example.com/path/x", "http://news.ycombinator.com", "https://docs.python.org/3/library/re.html",
          "http://localhost:8080/admin", "https://github.com/org/repo", "https://a.io", "http://intranet.corp/wiki",
          "https://en.wikipedia.org/wiki/Spreadsheet", "http://example.org/", "https://shop.example.co.uk/cart?id=7"],
         '(ite (str.contains (str.substr x0 (+ (str.indexof x0 "//" 0) 2) (str.len x0)) "/") '
         '(str.substr x0 (+ (str.indexof x0 "//" 0) 2) '
         '(- (str.indexof x0 "/" (+ (str.indexof x0 "//" 0) 2)) (+ (str.indexof x0 "//" 0) 2))) '
         '(str.substr x0 (+ (str.indexof x0 "//" 0) 2) (str.len x0)))', train=4),
    Task("urls_path", "urls", "Path of a URL (from the first slash after the host)",
         url_path,
         ["https://example.com/docs/intro", "http://news.ycombinator.com/item?id=1", "https://a.io/x",
          "https://docs.python.org/3/library/re.html", "http://localhost:8080/admin", "https://github.com/org/repo",
          "http://intranet.corp/wiki/Home", "https://en.wikipedia.org/wiki/Spreadsheet", "http://example.org/",
          "https://shop.example.co.uk/cart"],
         '(str.substr x0 (str.indexof x0 "/" (+ (str.indexof x0 "//" 0) 2)) (str.len x0))', train=4),
    Task("urls_add_scheme", "urls", "Add 'https://' to a web address unless it already starts with http",
         lambda s: s if s.startswith("http") else "https://" + s,
         ["example.com", "http://old.site.net", "www.python.org/downloads", "https://github.com", "docs.rs",
          "news.ycombinator.com", "http://localhost:3000", "shop.example.co.uk/cart", "https://a.io/x", "wiki.corp"],
         '(ite (str.prefixof "http" x0) x0 (str.++ "https://" x0))', train=4),
    Task("urls_id_param", "urls", "Value of the id parameter, the last parameter of a URL's query",
         lambda s: after(s, "id="),
         ["https://shop.example.com/item?id=48213", "http://crm.corp/contact?id=7", "https://x.io/p?ref=mail&id=A17-3",
          "https://news.site/article?id=2024031501", "http://localhost:8000/order?id=99", "https://app.io/u?tab=2&id=ann",
          "https://tracker.org/issue?id=5512", "http://wiki.corp/page?id=Home", "https://shop.co/cart?lang=en&id=0",
          "https://cdn.io/f?id=x9y8"],
         '(str.substr x0 (+ (str.indexof x0 "id=" 0) 3) (str.len x0))', train=4),

    # Phone numbers
    Task("phones_digits", "phones", "Digits only of a 10-digit phone number written with dashes, dots or spaces",
         lambda s: "".join(c for c in s if c.isdigit()),
         ["555-123-4567", "415.555.0132", "212 555 0199", "800-275-2273", "303.555.8841", "617 253 1000",
          "650-253-0000", "202.456.1111", "312 555 0134", "917-555-0101"],
         '(str.++ (excel.left x0 3) (str.++ (excel.mid x0 5 3) (excel.right x0 4)))'),
    Task("phones_area_code", "phones", "Area code of a phone number written (415) 555-0132",
         lambda s: s[1:4],
         ["(415) 555-0132", "(212) 555-0199", "(800) 275-2273", "(303) 555-8841", "(617) 253-1000",
          "(650) 253-0000", "(202) 456-1111", "(312) 555-0134", "(917) 555-0101", "(505) 555-0177"],
         "(str.substr x0 1 3)", train=4),
    Task("phones_format", "phones", "Format 10 digits as (415) 555-0132",
         lambda s: f"({s[:3]}) {s[3:6]}-{s[6:]}",
         ["4155550132", "2125550199", "8002752273", "3035558841", "6172531000", "6502530000", "2024561111",
          "3125550134", "9175550101", "5055550177"],
         '(str.++ "(" (str.++ (excel.left x0 3) (str.++ ") " (str.++ (excel.mid x0 4 3) '
         '(str.++ "-" (excel.right x0 4))))))'),
    Task("phones_mask", "phones", "Mask a phone number 415-555-0132 except its last four digits",
         lambda s: "***-***-" + s[-4:],
         ["415-555-0132", "212-555-0199", "800-275-2273", "303-555-8841", "617-253-1000", "650-253-0000",
          "202-456-1111", "312-555-0134", "917-555-0101", "505-555-0177"],
         '(str.++ "***-***-" (excel.right x0 4))'),
    Task("phones_country_code", "phones", "Prefix '+1 ' to a phone number unless it already starts with a + country code",
         lambda s: s if s.startswith("+") else "+1 " + s,
         ["415-555-0132", "+44 20 7946 0958", "212 555 0199", "+1 800-275-2273", "303.555.8841", "+49 30 901820",
          "617-253-1000", "+33 1 42 68 53 00", "(650) 253-0000", "+81 3-3224-9999"],
         '(ite (str.prefixof "+" x0) x0 (str.++ "+1 " x0))', train=4),

    # Product codes / SKUs
    Task("skus_category", "skus", "Category code: the first dash-separated segment of a SKU",
         lambda s: s.split("-")[0],
         ["ELC-20394-BLK", "HW-7-STEEL", "SPORT-118-XL", "TOYS-5520-RED", "BK-90210-WHT", "APPL-3-SIL",
          "FD-442-ORG", "GRD-77102-GRN", "OF-1-NA", "KIT-60-BLUE"],
         '(str.substr x0 0 (str.indexof x0 "-" 0))'),
    Task("skus_item_number", "skus", "Item number: the middle segment of a three-part SKU",
         lambda s: s.split("-")[1],
         ["ELC-20394-BLK", "HW-7-STEEL", "SPORT-118-XL", "TOYS-5520-RED", "BK-90210-WHT", "APPL-3-SIL",
          "FD-442-ORG", "GRD-77102-GRN", "OF-1-NA", "KIT-60-BLUE"],
         '(str.substr x0 (+ (str.indexof x0 "-" 0) 1) '
         '(- (- (str.indexof x0 "-" (+ (str.indexof x0 "-" 0) 1)) (str.indexof x0 "-" 0)) 1))'),
    Task("skus_variant", "skus", "Variant code: the last segment of a three-part SKU",
         lambda s: s.split("-")[2],
         ["ELC-20394-BLK", "HW-7-STEEL", "SPORT-118-XL", "TOYS-5520-RED", "BK-90210-WHT", "APPL-3-SIL",
          "FD-442-ORG", "GRD-77102-GRN", "OF-1-NA", "KIT-60-BLUE"],
         '(str.substr x0 (+ (str.indexof x0 "-" (+ (str.indexof x0 "-" 0) 1)) 1) (str.len x0))', train=4),
    Task("skus_build", "skus", "Build a SKU from category, item number and variant columns: upper-case, dash-separated",
         lambda cat, num, var: f"{cat}-{num}-{var}".upper(),
         [["elc", "20394", "Blk"], ["HW", "7", "sil"], ["Toys", "118", "RED"], ["grd", "5520", "grn"],
          ["BK", "90210", "wht"], ["appl", "3", "xl"], ["Fd", "442", "Org"], ["sport", "77102", "BLU"],
          ["of", "1", "na"], ["KIT", "60", "steel"]],
         '(str.to_upper (str.++ x0 (str.++ "-" (str.++ x1 (str.++ "-" x2)))))'),
    Task("skus_pad_order_number", "skus", "Pad an order number with leading zeros to 6 digits",
         lambda s: s.zfill(6),
         ["4213", "7", "98765", "120", "55", "100000", "3141", "808", "1", "24680"],
         '(excel.right (str.++ "000000" x0) 6)'),

    # Addresses
    Task("addresses_zip", "addresses", "ZIP code at the end of a US address line",
         lambda s: s[-5:],
         ["123 Main St, Springfield, IL 62704", "1 Infinite Loop, Cupertino, CA 95014",
          "350 Fifth Avenue, New York, NY 10118", "4059 Mt Lee Dr, Los Angeles, CA 90068", "9 Elm Rd, Dover, DE 19901",
          "1600 Pennsylvania Ave NW, Washington, DC 20500", "77 Massachusetts Ave, Cambridge, MA 02139",
          "500 S Buena Vista St, Burbank, CA 91521", "12 Oak Ln, Austin, TX 78701", "2 Pier Rd, Seattle, WA 98101"],
         "(excel.right x0 5)", train=4),
    Task("addresses_city", "addresses", "City of a US address 'street, city, ST zip'",
         lambda s: s.split(", ")[1],
         ["123 Main St, Springfield, IL 62704", "1 Infinite Loop, Cupertino, CA 95014",
          "350 Fifth Avenue, New York, NY 10118", "4059 Mt Lee Dr, Los Angeles, CA 90068", "9 Elm Rd, Dover, DE 19901",
          "1600 Pennsylvania Ave NW, Washington, DC 20500", "77 Massachusetts Ave, Cambridge, MA 02139",
          "500 S Buena Vista St, Burbank, CA 91521", "12 Oak Ln, Austin, TX 78701", "2 Pier Rd, Salt Lake City, UT 84101"],
         '(str.substr x0 (+ (str.indexof x0 ", " 0) 2) (- (- (str.len x0) 12) (str.indexof x0 ", " 0)))'),
    Task("addresses_state", "addresses", "Two-letter state code of a US address 'street, city, ST zip'",
         lambda s: s[-8:-6],
         ["123 Main St, Springfield, IL 62704", "1 Infinite Loop, Cupertino, CA 95014",
          "350 Fifth Avenue, New York, NY 10118", "4059 Mt Lee Dr, Los Angeles, CA 90068", "9 Elm Rd, Dover, DE 19901",
          "1600 Pennsylvania Ave NW, Washington, DC 20500", "77 Massachusetts Ave, Cambridge, MA 02139",
          "500 S Buena Vista St, Burbank, CA 91521", "12 Oak Ln, Austin, TX 78701", "2 Pier Rd, Seattle, WA 98101"],
         "(excel.left (excel.right x0 8) 2)"),

    # Money
    Task("money_plain_number", "money", "Plain number from a dollar amount: drop the $ and thousands separators",
         lambda s: s.replace("$", "").replace(",", ""),
         ["$1,234.50", "$89.99", "$1,250,000.00", "$0.75", "$12,000.00", "$5.00", "$999,999.99", "$42.10",
          "$3,141.59", "$10,000,000.01"],
         '(str.replace_all (str.replace x0 "$" "") "," "")'),
    Task("money_whole_dollars", "money", "Whole dollars of an amount like $1,234.50, as a plain number",
         lambda s: s[1:].split(".")[0].replace(",", ""),
         ["$1,234.50", "$89.99", "$1,250,000.00", "$0.75", "$12,000.00", "$5.00", "$999,999.99", "$42.10",
          "$3,141.59", "$10,000,000.01"],
         '(str.replace_all (str.substr x0 1 (- (str.indexof x0 "." 0) 1)) "," "")'),
    Task("money_parens_to_minus", "money", "Accounting negatives: turn (45.00) into -45.00, leave other amounts alone",
         parens_to_minus,
         ["(45.00)", "12.00", "(1234.56)", "0.99", "(7.5)", "300.00", "(0.01)", "1000000.00", "(99999.99)", "8.25"],
         '(ite (str.prefixof "(" x0) (str.++ "-" (str.substr x0 1 (- (str.len x0) 2))) x0)', train=4),
    Task("money_cents_to_dollars", "money", "Amount in cents (at least 3 digits) written as dollars with a decimal point",
         lambda s: f"{s[:-2]}.{s[-2:]}",
         ["1234", "999", "100000", "250", "4599", "1000", "123456789", "705", "31415", "200"],
         '(str.++ (excel.left x0 (- (str.len x0) 2)) (str.++ "." (excel.right x0 2)))'),

    # Prefixes and suffixes
    Task("affixes_invoice_prefix", "affixes", "Invoice numbers: add the 'INV-' prefix where it is missing",
         lambda s: s if s.startswith("INV-") else "INV-" + s,
         ["1023", "INV-2048", "77", "INV-5", "100234", "INV-88812", "9", "4410", "INV-300", "65535"],
         '(ite (str.prefixof "INV-" x0) x0 (str.++ "INV-" x0))', train=4),
    Task("affixes_strip_inc", "affixes", "Company name without a trailing ' Inc.'",
         lambda s: s.removesuffix(" Inc."),
         ["Acme Inc.", "Stark Industries", "Wayne Enterprises Inc.", "Globex", "Initech Inc.", "Hooli Inc.",
          "Umbrella Inc.", "Cyberdyne Systems", "Soylent Inc.", "Tyrell Corporation"],
         '(str.replace x0 " Inc." "")', train=4),
    Task("affixes_strip_leading_zeros", "affixes", "Drop the leading zeros of an employee number",
         lambda s: str(int(s)),
         ["000420", "0007", "12345", "0000", "010203", "00099", "000001", "7", "100", "0000056"],
         "(int.to.str (str.to.int x0))"),

    # Case changes
    Task("case_snake_to_title", "case", "Column header from a snake_case field name",
         lambda s: s.replace("_", " ").title(),
         ["first_name", "zip", "date_of_birth", "order_id", "unit_price_usd", "email", "last_login_at",
          "is_active", "shipping_address_line_two", "sku"],
         '(excel.proper (str.replace_all x0 "_" " "))'),
    Task("case_slug", "case", "URL slug of a title: trimmed, single spaces become dashes, lower-case",
         lambda s: "-".join(s.split()).lower(),
         ["Hello World Post", "  Quarterly  Results 2024 ", "FAQ", "How To Cook Rice", " Release notes v2 ",
          "Our Team", "Terms  of  Service", "Big News", "The 10 Best Pizza Places", "About"],
         '(str.to_lower (str.replace_all (excel.trim x0) " " "-"))'),
    Task("case_sentence", "case", "Sentence case: first letter upper-case, the rest lower-case",
         sentence_case,
         ["tHE QUICK fox", "HELLO WORLD", "meeting at noon", "Payment RECEIVED", "a", "ok THANKS",
          "PLEASE REPLY", "see attached file", "Out Of Office", "x-ray results"],
         "(str.++ (str.to_upper (str.at x0 0)) (str.to_lower (str.substr x0 1 (str.len x0))))", train=4),

    # Padding and abbreviation
    Task("abbrev_weekday", "abbrev", "Three-letter upper-case abbreviation of a weekday",
         lambda s: s[:3].upper(),
         ["Wednesday", "friday", "MONDAY", "Sunday", "tuesday", "Thursday", "saturday", "Monday", "FRIDAY", "sunday"],
         "(str.to_upper (excel.left x0 3))"),
    Task("abbrev_truncate_title", "abbrev", "Shorten titles longer than 20 characters to 17 characters plus '...'",
         truncate_title,
         ["Wireless Mouse Black", "USB-C Charging Cable 2m", "Desk Lamp", "Ergonomic Office Chair Pro",
          "Notebook A5", "Stainless Steel Water Bottle", "Phone Stand", "Noise Cancelling Headphones",
          "Mechanical Keyboard", "Coffee Mug"],
         '(ite (> (str.len x0) 20) (str.++ (excel.left x0 17) "...") x0)', train=4),
]


# --- build, check, write ----------------------------------------------------------------------

def examples(task: Task) -> list[dict]:
    rows = []
    for raw in task.inputs:
        inputs = [raw] if isinstance(raw, str) else list(raw)
        output = task.reference(*inputs)
        assert isinstance(output, str) and all(isinstance(i, str) for i in inputs), task.name
        rows.append({"inputs": inputs, "output": output})
    return rows


def witness_size(task: Task, rows: list[dict]) -> int:
    """Parse the witness, check it on every example, and return its size (number of nodes)."""
    names = {f"x{i}": STRING for i in range(len(rows[0]["inputs"]))}
    program = parse_program(task.witness, names)
    for row in rows:
        got = evaluate(program, {f"x{i}": v for i, v in enumerate(row["inputs"])})
        if got != row["output"]:
            raise SystemExit(f"{task.name}: witness gives {got!r} on {row['inputs']}, expected {row['output']!r}")
    return program.size


def main() -> None:
    names = [t.name for t in TASKS]
    assert len(names) == len(set(names)), "duplicate task names"
    records, sizes = [], {}
    for task in TASKS:
        rows = examples(task)
        assert 3 <= task.train <= 4 and len(rows) - task.train >= 6, task.name
        sizes[task.name] = witness_size(task, rows)
        records.append({"name": task.name, "description": task.description,
                        "examples": rows[:task.train], "tests": rows[task.train:]})
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write(OUT_DIR / "spreadsheet.jsonl", records)
    # The demo: the smallest witnesses (ties keep the suite's order), written in the suite's order.
    easiest = set(sorted(names, key=lambda n: sizes[n])[:DEMO_SIZE])
    write(OUT_DIR / "demo.jsonl", [r for r in records if r["name"] in easiest])
    counts = Counter(t.category for t in TASKS)
    print(f"{len(records)} tasks: " + ", ".join(f"{c} {n}" for c, n in counts.items()))
    print("demo: " + ", ".join(f"{n} ({sizes[n]})" for n in names if n in easiest))


def write(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    print(f"wrote {path.relative_to(ROOT)} ({len(records)} tasks)")


if __name__ == "__main__":
    main()

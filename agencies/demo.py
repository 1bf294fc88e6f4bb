"""The demo region, and the function that seeds it.

Twin Rivers County is fictional: invented agencies, people, streets and phone numbers
(555 numbers), placed around Riverton at about 39.76 N, 84.19 W inside the "State of Ohio"
state region. `seed_demo_region()` is idempotent: it only creates what is missing, keyed on
natural keys (region code, agency short code, member external_id, contact point
channel + address, list name, username), so a second run writes nothing at all and a
record an operator edited is never overwritten. The data is generated from a fixed random
seed, so every run (and every machine) gets the same people with the same numbers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from agencies.models import (
    Agency,
    AuditEntry,
    Channel,
    ContactPoint,
    Discipline,
    DistributionList,
    EdStatus,
    Hospital,
    Member,
    Membership,
    Region,
    Role,
    RosterRole,
)
from agencies.services import audit_record, distribution_list_save
from agencies.validation import clean_roster_roles, normalize_address, normalize_phone

DEMO_PASSWORD = "asim-demo-2026"
RANDOM_SEED = 2026
STATE_CODE = "oh-state"
COUNTY_CODE = "twin-rivers"
OPERATOR_USERNAME = "operator"

R = RosterRole  # the tables below read better with a short name

# --- the people generator's vocabulary ------------------------------------------------------

FIRST_NAMES = (
    "Aaron", "Abigail", "Adrian", "Aisha", "Alan", "Alicia", "Andre", "Angela", "Brandon",
    "Brianna", "Caleb", "Camila", "Carl", "Carmen", "Chloe", "Colin", "Daniel", "Deborah",
    "Derek", "Diana", "Elena", "Elijah", "Emily", "Eric", "Fatima", "Frank", "Gabriel",
    "Gloria", "Greg", "Heather", "Ian", "Imani", "Isaac", "Jacob", "Jasmine", "Jenna", "Joel",
    "Julia", "Kara", "Keith", "Kevin", "Kim", "Laura", "Leah", "Logan", "Maria", "Mark",
    "Megan", "Nadia", "Nathan", "Nicole", "Omar", "Paul", "Priya", "Rachel", "Raj", "Ryan",
    "Samuel", "Sara", "Sean", "Sofia", "Tanya", "Terrence", "Tiffany", "Tyler", "Victor",
    "Wendy", "Xavier", "Yolanda", "Zach",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Alvarez", "Anderson", "Baker", "Barnes", "Bennett", "Brooks", "Bryant",
    "Carter", "Chen", "Coleman", "Collins", "Cooper", "Cruz", "Davis", "Dixon", "Edwards",
    "Ellis", "Evans", "Fisher", "Foster", "Garcia", "Gibson", "Gordon", "Graham", "Grant",
    "Hall", "Hamilton", "Harper", "Hayes", "Henderson", "Hughes", "Jackson", "Jenkins",
    "Johnson", "Kelly", "Kennedy", "Kim", "Lawson", "Lee", "Lewis", "Marshall", "Martin",
    "Mason", "McCarthy", "Meyer", "Mitchell", "Morales", "Murphy", "Nguyen", "Nelson",
    "O'Brien", "Owens", "Palmer", "Patel", "Perry", "Phillips", "Powell", "Ramirez", "Reed",
    "Reyes", "Richards", "Robinson", "Russell", "Sanders", "Schultz", "Shaw", "Simmons",
    "Stewart", "Sullivan", "Taylor", "Thompson", "Tran", "Turner", "Wagner", "Walker",
    "Warren", "Watson", "Webb", "Williams", "Wright", "Young",
)  # fmt: skip

# --- specifications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """`count` people with one title and the same roster roles; the first `on_call` of them
    are on call."""

    title: str
    roles: tuple[str, ...]
    count: int
    on_call: int = 0


@dataclass(frozen=True)
class HospitalSpec:
    trauma_level: int | None
    ed_status: str
    status_minutes_ago: int
    capacity: tuple[int, int, int]  # immediate, delayed, minor
    pediatric: bool = False
    burn: bool = False
    pediatric_trauma_level: int | None = None
    treats_adults: bool = True


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    discipline: str
    region: str  # STATE_CODE or COUNTY_CODE
    address: str
    latitude: float
    longitude: float
    phone: str
    domain: str
    posts: tuple[Post, ...]
    hospital: HospitalSpec | None = None


@dataclass(frozen=True)
class LoginSpec:
    """A demo login: a user with one platform role, who is also on the agency's roster."""

    username: str
    role: str
    agency: str
    full_name: str
    title: str
    roster_roles: tuple[str, ...]
    on_call: bool = False


def _law(chief: str, size: int) -> tuple[Post, ...]:
    return (
        Post(chief, (R.COMMAND,), 1),
        Post("Captain", (R.COMMAND,), 1),
        Post("Lieutenant", (R.SUPERVISOR,), 2, on_call=1),
        Post("Sergeant", (R.SUPERVISOR,), 3, on_call=1),
        Post("Public Information Officer", (R.PIO,), 1),
        Post("Police Officer", (R.STAFF,), size - 8),
    )


def _fire(size: int) -> tuple[Post, ...]:
    return (
        Post("Fire Chief", (R.COMMAND,), 1),
        Post("Assistant Chief", (R.COMMAND,), 1),
        Post("Battalion Chief", (R.SUPERVISOR, R.COMMAND), 2, on_call=1),
        Post("Fire Captain", (R.SUPERVISOR,), 2),
        Post("Firefighter/Paramedic", (R.STAFF,), size - 6),
    )


def _hospital(charge_nurses: int) -> tuple[Post, ...]:
    return (
        Post("ER Charge Nurse", (R.ER_CONTACT,), charge_nurses, on_call=1),
        Post("ED Physician Lead", (R.ER_CONTACT,), 1, on_call=1),
        Post("House Supervisor", (R.SUPERVISOR,), 1, on_call=1),
        Post("Emergency Preparedness Coordinator", (R.LIAISON,), 1),
        Post("Public Relations Manager", (R.PIO,), 1),
        Post("ED Registered Nurse", (R.STAFF,), 6 - charge_nurses),
    )


COUNTY_EM_POSTS = (
    Post("EMA Director", (R.COMMAND, R.DUTY_OFFICER), 1),
    Post("Deputy Director", (R.DUTY_OFFICER,), 1),
    Post("Operations and Planning Coordinator", (R.DUTY_OFFICER,), 1),
    Post("Public Information Officer", (R.PIO,), 1),
    Post("Hospital Liaison", (R.LIAISON,), 1),
    Post("Emergency Planner", (R.STAFF,), 2),
    Post("Volunteer Coordinator", (R.STAFF,), 1),
)

AGENCIES: tuple[AgencySpec, ...] = (
    # --- county: law, fire, EMS, dispatch, EM --------------------------------------------
    AgencySpec(
        "TRCSO", "Twin Rivers County Sheriff's Office", Discipline.LAW, COUNTY_CODE,
        "410 Courthouse Square, Riverton", 39.7594, -84.1951, "+19375550101",
        "sheriff.twinrivers.example.org",
        (
            Post("Sheriff", (R.COMMAND,), 1),
            Post("Chief Deputy", (R.COMMAND,), 1),
            Post("Tactical Team Commander", (R.COMMAND,), 1),
            Post("Lieutenant", (R.SUPERVISOR,), 2, on_call=1),
            Post("Sergeant", (R.SUPERVISOR,), 4, on_call=1),
            Post("Public Information Officer", (R.PIO,), 1),
            Post("Deputy Sheriff", (R.STAFF,), 14),
        ),
    ),
    AgencySpec(
        "RPD", "Riverton Police Department", Discipline.LAW, COUNTY_CODE,
        "335 Canal Street, Riverton", 39.7611, -84.1897, "+19375550102",
        "police.riverton.example.org", _law("Chief of Police", 20),
    ),
    AgencySpec(
        "MPD", "Millbrook Police Department", Discipline.LAW, COUNTY_CODE,
        "4820 Far Meadow Avenue, Millbrook", 39.6893, -84.1688, "+19375550103",
        "police.millbrook.example.org", _law("Chief of Police", 16),
    ),
    AgencySpec(
        "RFD", "Riverton Fire Department", Discipline.FIRE, COUNTY_CODE,
        "300 Lockwood Street, Riverton", 39.7648, -84.1921, "+19375550104",
        "fire.riverton.example.org", _fire(16),
    ),
    AgencySpec(
        "MFD", "Millbrook Fire Department", Discipline.FIRE, COUNTY_CODE,
        "3610 Shady Ridge Road, Millbrook", 39.6935, -84.1597, "+19375550105",
        "fire.millbrook.example.org", _fire(12),
    ),
    AgencySpec(
        "HTFD", "Harmon Township Fire District", Discipline.FIRE, COUNTY_CODE,
        "6310 Harmon Pike, Harmon Township", 39.8428, -84.1253, "+19375550106",
        "fire.harmontwp.example.org", _fire(12),
    ),
    AgencySpec(
        "CCFD", "Cedar Creek Joint Fire District", Discipline.FIRE, COUNTY_CODE,
        "2125 Cedar Creek Road, Cedar Creek", 39.7052, -84.2847, "+19375550107",
        "fire.cedarcreek.example.org", _fire(12),
    ),
    AgencySpec(
        "TREMS", "Twin Rivers County EMS", Discipline.EMS, COUNTY_CODE,
        "1620 Valley Street, Riverton", 39.7803, -84.1702, "+19375550108",
        "ems.twinrivers.example.org",
        (
            Post("EMS Chief", (R.COMMAND,), 1),
            Post("Deputy EMS Chief", (R.COMMAND,), 1),
            Post("EMS Field Supervisor", (R.SUPERVISOR,), 3, on_call=1),
            Post("Paramedic", (R.STAFF,), 12),
            Post("EMT", (R.STAFF,), 7),
        ),
    ),
    AgencySpec(
        "TR911", "Twin Rivers Regional 911 Communications", Discipline.DISPATCH, COUNTY_CODE,
        "45 Patterson Boulevard, Riverton", 39.7562, -84.1868, "+19375550109",
        "911.twinrivers.example.org",
        (
            Post("911 Director", (R.COMMAND,), 1),
            Post("Operations Manager", (R.COMMAND,), 1),
            Post("Dispatch Shift Supervisor", (R.SUPERVISOR,), 4, on_call=1),
            Post("Telecommunicator", (R.STAFF,), 12),
        ),
    ),
    AgencySpec(
        "TREMA", "Twin Rivers County Emergency Management Agency", Discipline.EM, COUNTY_CODE,
        "1304 Ludlow Street, Riverton", 39.7519, -84.1979, "+19375550110",
        "ema.twinrivers.example.org", COUNTY_EM_POSTS,
    ),
    # --- county: hospitals -----------------------------------------------------------------
    AgencySpec(
        "RRMC", "Riverton Regional Medical Center", Discipline.HOSPITAL, COUNTY_CODE,
        "1 Medical Center Drive, Riverton", 39.7447, -84.1869, "+19375550111",
        "rrmc.example.org", _hospital(2),
        HospitalSpec(1, EdStatus.OPEN, 12, (8, 14, 25), burn=True, pediatric=True,
                     pediatric_trauma_level=2),
    ),
    AgencySpec(
        "SBMC", "St. Brendan Medical Center", Discipline.HOSPITAL, COUNTY_CODE,
        "1140 Salem Heights Avenue, Riverton", 39.7818, -84.2231, "+19375550112",
        "stbrendan.example.org", _hospital(2),
        HospitalSpec(2, EdStatus.OPEN, 40, (5, 10, 18)),
    ),
    AgencySpec(
        "MMH", "Millbrook Memorial Hospital", Discipline.HOSPITAL, COUNTY_CODE,
        "3535 Southern Parkway, Millbrook", 39.6888, -84.1822, "+19375550113",
        "millbrookmemorial.example.org", _hospital(2),
        HospitalSpec(2, EdStatus.ADVISORY, 25, (3, 6, 12)),
    ),
    AgencySpec(
        "KCCH", "Kettle Creek Community Hospital", Discipline.HOSPITAL, COUNTY_CODE,
        "2200 Kettle Creek Drive, Kettle Creek", 39.8047, -84.2652, "+19375550114",
        "kettlecreek-hospital.example.org", _hospital(2),
        HospitalSpec(3, EdStatus.OPEN, 125, (2, 5, 10)),
    ),
    AgencySpec(
        "NRCH", "Northridge Community Hospital", Discipline.HOSPITAL, COUNTY_CODE,
        "8010 Northridge Boulevard, Northridge", 39.8596, -84.1903, "+19375550115",
        "northridge-hospital.example.org", _hospital(2),
        HospitalSpec(None, EdStatus.DIVERSION, 55, (0, 2, 6)),
    ),
    AgencySpec(
        "TRCH", "Twin Rivers Children's Hospital", Discipline.HOSPITAL, COUNTY_CODE,
        "1 Children's Plaza, Riverton", 39.7731, -84.1698, "+19375550116",
        "trchildrens.example.org", _hospital(3),
        HospitalSpec(None, EdStatus.OPEN, 18, (4, 8, 15), pediatric=True,
                     pediatric_trauma_level=1, treats_adults=False),
    ),
    # --- county: schools, public health, officials, others ------------------------------
    AgencySpec(
        "TRCS", "Twin Rivers City Schools", Discipline.SCHOOL, COUNTY_CODE,
        "115 Ludlow Street, Riverton", 39.7581, -84.1939, "+19375550117",
        "trcs.example.org",
        (
            Post("Superintendent", (R.COMMAND,), 1),
            Post("Director of Safety and Security", (R.LIAISON,), 1, on_call=1),
            Post("Communications Director", (R.PIO,), 1),
            Post("Principal", (R.STAFF,), 3),
        ),
    ),
    AgencySpec(
        "TRPH", "Twin Rivers County Public Health", Discipline.PUBLIC_HEALTH, COUNTY_CODE,
        "117 Main Street, Riverton", 39.7574, -84.1914, "+19375550118",
        "health.twinrivers.example.org",
        (
            Post("Health Commissioner", (R.COMMAND,), 1),
            Post("Emergency Preparedness Coordinator", (R.DUTY_OFFICER,), 1, on_call=1),
            Post("Medical Director", (R.STAFF,), 1),
            Post("Epidemiologist", (R.STAFF,), 1),
            Post("Public Information Officer", (R.PIO,), 1),
            Post("Public Health Nurse", (R.STAFF,), 1),
        ),
    ),
    AgencySpec(
        "TRBOC", "Twin Rivers County Board of Commissioners", Discipline.OFFICIALS, COUNTY_CODE,
        "451 Courthouse Square, Riverton", 39.7589, -84.1984, "+19375550119",
        "commissioners.twinrivers.example.org",
        (
            Post("County Commissioner", (R.OFFICIAL,), 2),
            Post("County Administrator", (R.OFFICIAL,), 1),
            Post("Assistant County Administrator", (R.OFFICIAL,), 1),
            Post("Communications Director", (R.PIO,), 1),
            Post("Executive Assistant", (R.STAFF,), 2),
        ),
    ),
    AgencySpec(
        "RCITY", "City of Riverton, Office of the Mayor", Discipline.OFFICIALS, COUNTY_CODE,
        "101 Canal Street, Riverton", 39.7593, -84.1925, "+19375550120",
        "cityofriverton.example.org",
        (
            Post("Mayor", (R.OFFICIAL,), 1),
            Post("City Manager", (R.OFFICIAL,), 1),
            Post("City Commissioner", (R.OFFICIAL,), 2),
            Post("Communications Manager", (R.PIO,), 1),
        ),
    ),
    AgencySpec(
        "TRCOR", "Twin Rivers County Coroner's Office", Discipline.OTHER, COUNTY_CODE,
        "361 Ridgeway Avenue, Riverton", 39.7488, -84.2043, "+19375550121",
        "coroner.twinrivers.example.org",
        (
            Post("County Coroner", (R.COMMAND,), 1),
            Post("Chief Investigator", (R.SUPERVISOR,), 1, on_call=1),
            Post("Death Investigator", (R.STAFF,), 2),
        ),
    ),
    AgencySpec(
        "TRARC", "Twin Rivers Red Cross Chapter", Discipline.OTHER, COUNTY_CODE,
        "370 Orchard Lane, Riverton", 39.7702, -84.2105, "+19375550122",
        "redcross-twinrivers.example.org",
        (
            Post("Executive Director", (R.COMMAND,), 1),
            Post("Disaster Program Manager", (R.DUTY_OFFICER,), 1, on_call=1),
            Post("Family Reunification Lead", (R.LIAISON,), 1),
            Post("Disaster Volunteer", (R.STAFF,), 2),
        ),
    ),
    # --- state --------------------------------------------------------------------------
    AgencySpec(
        "SEMA", "State Emergency Management Agency", Discipline.EM, STATE_CODE,
        "2800 Capitol Park Drive, Columbus", 40.0832, -83.0781, "+16145550130",
        "ema.state.example.org",
        (
            Post("Executive Director", (R.COMMAND,), 1),
            Post("State Watch Officer", (R.DUTY_OFFICER,), 3, on_call=1),
            Post("Regional Field Coordinator", (R.LIAISON,), 2),
            Post("Public Information Officer", (R.PIO,), 1),
            Post("Recovery Planner", (R.STAFF,), 1),
        ),
    ),
    AgencySpec(
        "GOV", "Office of the Governor", Discipline.OFFICIALS, STATE_CODE,
        "77 Statehouse Square, Columbus", 39.9612, -82.9988, "+16145550131",
        "governor.state.example.org",
        (
            Post("Governor", (R.OFFICIAL,), 1),
            Post("Lieutenant Governor", (R.OFFICIAL,), 1),
            Post("Chief of Staff", (R.OFFICIAL,), 1),
            Post("Homeland Security Advisor", (R.OFFICIAL, R.LIAISON), 1),
            Post("Press Secretary", (R.PIO,), 1),
            Post("Policy Advisor", (R.STAFF,), 1),
        ),
    ),
    AgencySpec(
        "SHP12", "State Highway Patrol, Riverton Post", Discipline.LAW, STATE_CODE,
        "5020 Interstate Drive, Riverton", 39.8013, -84.2488, "+19375550132",
        "patrol.state.example.org",
        (
            Post("Post Commander", (R.COMMAND,), 1),
            Post("Patrol Sergeant", (R.SUPERVISOR,), 2, on_call=1),
            Post("Trooper", (R.STAFF,), 5),
        ),
    ),
)  # fmt: skip

LOGINS: tuple[LoginSpec, ...] = (
    LoginSpec(
        "dispatcher", Role.DISPATCHER, "TR911", "Dana Whitfield", "Dispatch Shift Supervisor",
        (R.SUPERVISOR,), on_call=True,
    ),
    LoginSpec(
        "medic", Role.EMS, "TREMS", "Marcus Bell", "EMS Field Supervisor", (R.SUPERVISOR,),
        on_call=True,
    ),
    LoginSpec("officer", Role.RESPONDER, "RPD", "Luis Ortega", "Police Officer", (R.STAFF,)),
    LoginSpec(
        "nurse", Role.HOSPITAL, "RRMC", "Grace Okafor", "ER Charge Nurse", (R.ER_CONTACT,),
        on_call=True,
    ),
    LoginSpec(
        "nurse2", Role.HOSPITAL, "SBMC", "Hannah Price", "ER Charge Nurse", (R.ER_CONTACT,),
        on_call=True,
    ),
    LoginSpec(
        "em", Role.EMERGENCY_MANAGER, "TREMA", "Evan Mercer", "Emergency Management Duty Officer",
        (R.DUTY_OFFICER,), on_call=True,
    ),
    LoginSpec(
        "official", Role.OFFICIAL, "TRBOC", "Patricia Lang", "County Commissioner",
        (R.OFFICIAL,),
    ),
    LoginSpec(
        "police_admin", Role.AGENCY_ADMIN, "RPD", "Renee Castillo",
        "Records and Systems Administrator", (R.STAFF,),
    ),
)  # fmt: skip

REGIONS = (
    # code, name, kind, parent code, IANA time zone
    (STATE_CODE, "State of Ohio", Region.Kind.STATE, None, "America/New_York"),
    (COUNTY_CODE, "Twin Rivers County", Region.Kind.COUNTY, STATE_CODE, "America/New_York"),
)

# --- the generated plan -----------------------------------------------------------------------


@dataclass
class MemberPlan:
    """One roster entry as the seed will create it (phones already in E.164)."""

    agency: str
    external_id: str
    full_name: str
    title: str
    roles: list[str]
    on_call: bool
    contacts: list[tuple[str, str]]  # (channel, address) in priority order
    username: str = ""


@dataclass(frozen=True)
class ListPlan:
    region: str
    name: str
    description: str
    agencies: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    member_filter: tuple[tuple[str, ...], str, str] | None = None  # agencies, role, title part


LISTS: tuple[ListPlan, ...] = (
    ListPlan(
        COUNTY_CODE, "County officials",
        "County commissioners, the county administrator and the mayor's office.",
        agencies=("TRBOC", "RCITY"),
    ),
    ListPlan(
        COUNTY_CODE, "All ER charge nurses", "The charge nurses of every emergency department.",
        member_filter=(
            tuple(a.code for a in AGENCIES if a.hospital), R.ER_CONTACT, "Charge Nurse",
        ),
    ),
    ListPlan(
        COUNTY_CODE, "Dispatch and EMS supervisors",
        "911 shift supervisors and EMS field supervisors.",
        member_filter=(("TR911", "TREMS"), R.SUPERVISOR, ""),
    ),
    ListPlan(
        COUNTY_CODE, "All agencies (county)", "Everyone on every roster in Twin Rivers County.",
        disciplines=tuple(Discipline.values),
    ),
    ListPlan(
        STATE_CODE, "State officials", "The Governor's office.", agencies=("GOV",),
    ),
    ListPlan(
        STATE_CODE, "State EM duty officers", "State watch officers of the State EMA.",
        member_filter=(("SEMA",), R.DUTY_OFFICER, ""),
    ),
)  # fmt: skip


def _email(first: str, last: str, domain: str) -> str:
    local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
    return normalize_address(Channel.EMAIL, f"{local}@{domain}")


def build_plan() -> list[MemberPlan]:
    """Every roster entry of the demo region, the same on every call (fixed random seed).

    Key people (ER contacts, supervisors, duty officers, command, officials and the demo
    logins) get a mobile for SMS and voice plus an email; everyone else 1 to 3 contact points.
    """
    rng = random.Random(RANDOM_SEED)
    taken = {login.full_name for login in LOGINS}
    mobiles = rng.sample(range(2000, 10000), k=1200)  # 555-2000…9999, unique
    key_roles = {R.ER_CONTACT, R.SUPERVISOR, R.DUTY_OFFICER, R.COMMAND, R.OFFICIAL}
    plan: list[MemberPlan] = []

    def person() -> tuple[str, str]:
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if f"{first} {last}" not in taken:
                taken.add(f"{first} {last}")
                return first, last

    for spec in AGENCIES:
        area = spec.phone[2:5]  # the agency's area code: 937 in the county, 614 in Columbus
        entries: list[tuple[str, str, str, tuple[str, ...], bool, str]] = [
            (*login.full_name.split(" ", 1), login.title, login.roster_roles, login.on_call,
             login.username)
            for login in LOGINS
            if login.agency == spec.code
        ]  # fmt: skip
        for post in spec.posts:
            for i in range(post.count):
                entries.append((*person(), post.title, post.roles, i < post.on_call, ""))
        for seq, (first, last, title, roles, on_call, username) in enumerate(entries, start=1):
            mobile = normalize_phone(f"+1{area}555{mobiles.pop():04d}")
            email = _email(first, last, spec.domain)
            if username or key_roles & set(roles):
                contacts = [(Channel.SMS, mobile), (Channel.VOICE, mobile), (Channel.EMAIL, email)]
            else:
                contacts = rng.choice(
                    (
                        [(Channel.SMS, mobile), (Channel.EMAIL, email)],
                        [(Channel.SMS, mobile), (Channel.VOICE, mobile), (Channel.EMAIL, email)],
                        [(Channel.SMS, mobile)],
                        [(Channel.EMAIL, email)],
                    )
                )
            plan.append(
                MemberPlan(
                    agency=spec.code,
                    external_id=f"{spec.code}-{seq:03d}",
                    full_name=f"{first} {last}",
                    title=title,
                    roles=clean_roster_roles(roles),
                    on_call=on_call,
                    contacts=[(str(channel), address) for channel, address in contacts],
                    username=username,
                )
            )
    return plan


# --- seeding ----------------------------------------------------------------------------------


@dataclass
class SeedReport:
    """What the region holds after seeding, and how many rows this run created."""

    region: str = ""
    agencies: int = 0
    hospitals: int = 0
    members: int = 0
    contact_points: int = 0
    lists: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, agency
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


def _ensure_regions(report: SeedReport) -> dict[str, Region]:
    regions = {r.code: r for r in Region.objects.filter(code__in=[c for c, *_ in REGIONS])}
    for code, name, kind, parent, time_zone in REGIONS:
        if code not in regions:
            regions[code] = Region.objects.create(
                code=code,
                name=name,
                kind=kind,
                parent=regions[parent] if parent else None,
                time_zone=time_zone,
            )
            report.created["regions"] += 1
    return regions


def _ensure_agencies(regions: dict[str, Region], report: SeedReport) -> dict[str, Agency]:
    def existing() -> dict[str, Agency]:
        return {a.short_code: a for a in Agency.objects.filter(region__in=regions.values())}

    agencies = existing()
    missing = []
    for spec in AGENCIES:
        if spec.code in agencies:
            continue
        agency = Agency(
            region=regions[spec.region],
            name=spec.name,
            short_code=spec.code,
            discipline=spec.discipline,
            address=spec.address,
            latitude=spec.latitude,
            longitude=spec.longitude,
            phone=normalize_phone(spec.phone),
        )
        # Field validation only: the foreign keys are ours, and a lookup per row would be slow.
        agency.full_clean(exclude=["region"], validate_unique=False, validate_constraints=False)
        missing.append(agency)
    if missing:
        Agency.objects.bulk_create(missing)
        report.created["agencies"] += len(missing)
        agencies = existing()  # re-read: not every backend returns primary keys from a bulk insert
    return agencies


def _ensure_hospitals(agencies: dict[str, Agency], now: datetime, report: SeedReport) -> None:
    have = set(
        Hospital.objects.filter(agency__in=agencies.values()).values_list("agency_id", flat=True)
    )
    missing = []
    for spec in AGENCIES:
        agency = agencies[spec.code]
        if spec.hospital is None or agency.pk in have:
            continue
        h = spec.hospital
        at = now - timedelta(minutes=h.status_minutes_ago)
        hospital = Hospital(
            agency=agency,
            trauma_level=h.trauma_level,
            pediatric=h.pediatric,
            pediatric_trauma_level=h.pediatric_trauma_level,
            treats_adults=h.treats_adults,
            burn=h.burn,
            ed_status=h.ed_status,
            ed_status_at=at,
            capacity_immediate=h.capacity[0],
            capacity_delayed=h.capacity[1],
            capacity_minor=h.capacity[2],
            capacity_reported_at=at,
        )
        hospital.full_clean(exclude=["agency"], validate_unique=False, validate_constraints=False)
        missing.append(hospital)
    Hospital.objects.bulk_create(missing)
    report.created["hospitals"] += len(missing)


def _ensure_members(
    agencies: dict[str, Agency], plan: list[MemberPlan], report: SeedReport
) -> dict[str, Member]:
    """Create missing members and contact points; returns members by external_id."""

    def existing() -> dict[str, Member]:
        rows = Member.objects.filter(agency__in=agencies.values()).select_related("agency")
        return {m.external_id: m for m in rows.exclude(external_id="")}

    members = existing()
    new_members = []
    for entry in plan:
        if entry.external_id in members:
            continue
        member = Member(
            agency=agencies[entry.agency],
            external_id=entry.external_id,
            full_name=entry.full_name,
            title=entry.title,
            roles=entry.roles,
            on_call=entry.on_call,
        )
        member.full_clean(exclude=["agency"], validate_unique=False, validate_constraints=False)
        new_members.append(member)
    if new_members:
        Member.objects.bulk_create(new_members)
        members = existing()

    have_points = set(
        ContactPoint.objects.filter(member__in=members.values()).values_list(
            "member_id", "channel", "address"
        )
    )
    new_points = []
    for entry in plan:
        member = members[entry.external_id]
        for priority, (channel, address) in enumerate(entry.contacts, start=1):
            if (member.pk, channel, address) not in have_points:
                new_points.append(
                    ContactPoint(member=member, channel=channel, address=address, priority=priority)
                )
    ContactPoint.objects.bulk_create(new_points)

    # One summary entry per agency, as a roster import writes, so the seed is on the record.
    created: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for member in new_members:
        created[member.agency.short_code][0] += 1
    for point in new_points:
        created[point.member.agency.short_code][1] += 1
    for code, (member_count, point_count) in sorted(created.items()):
        audit_record(
            actor=None,
            action=AuditEntry.Action.IMPORT,
            instance=agencies[code],
            agency=agencies[code],
            changes={
                "source": "seed_demo",
                "created": member_count,
                "contact_points_added": point_count,
            },
        )
    report.created["members"] += len(new_members)
    report.created["contact_points"] += len(new_points)
    return members


def _ensure_logins(
    agencies: dict[str, Agency],
    members: dict[str, Member],
    plan: list[MemberPlan],
    report: SeedReport,
) -> None:
    User = get_user_model()
    usernames = [login.username for login in LOGINS] + [OPERATOR_USERNAME]
    users = {u.get_username(): u for u in User.objects.filter(username__in=usernames)}
    password_hash = ""
    if len(users) < len(usernames):
        # One hash for every demo login: they share a published password anyway, and hashing
        # once keeps the seed fast (each hash costs a deliberate fraction of a second).
        password_hash = make_password(DEMO_PASSWORD)
    if OPERATOR_USERNAME not in users:
        User.objects.create(
            username=OPERATOR_USERNAME,
            first_name="Platform",
            last_name="Operator",
            email="operator@asim.example.org",
            is_staff=True,
            is_superuser=True,
            password=password_hash,
        )
        report.created["users"] += 1
    entries = {entry.username: entry for entry in plan if entry.username}
    memberships = set(
        Membership.objects.filter(user__username__in=usernames).values_list(
            "user__username", "agency_id"
        )
    )
    for login in LOGINS:
        entry = entries[login.username]
        agency = agencies[login.agency]
        user = users.get(login.username)
        if user is None:
            first, last = login.full_name.split(" ", 1)
            email = next(address for channel, address in entry.contacts if channel == "email")
            user = User.objects.create(
                username=login.username,
                first_name=first,
                last_name=last,
                email=email,
                password=password_hash,
            )
            report.created["users"] += 1
        if (login.username, agency.pk) not in memberships:
            Membership.objects.create(user=user, agency=agency, roles=[login.role])
            report.created["memberships"] += 1
        member = members[entry.external_id]
        if member.user_id is None:
            Member.objects.filter(pk=member.pk).update(user=user)
            report.created["member_links"] += 1
        report.logins.append((login.username, login.role, agency.name))
    report.logins.append((OPERATOR_USERNAME, "superuser (/admin/)", "-"))


def _ensure_lists(
    regions: dict[str, Region],
    agencies: dict[str, Agency],
    members: dict[str, Member],
    plan: list[MemberPlan],
    report: SeedReport,
) -> None:
    have = set(
        DistributionList.objects.filter(region__in=regions.values()).values_list(
            "region__code", "name"
        )
    )
    for spec in LISTS:
        if (spec.region, spec.name) in have:
            continue
        chosen: list[Member] = []
        if spec.member_filter:
            codes, role, title_part = spec.member_filter
            chosen = [
                members[e.external_id]
                for e in plan
                if e.agency in codes and role in e.roles and title_part in e.title
            ]
        distribution_list_save(
            actor=None,
            region_id=regions[spec.region].pk,
            name=spec.name,
            description=spec.description,
            members=chosen,
            agencies=[agencies[code] for code in spec.agencies],
            disciplines=spec.disciplines,
        )
        report.created["lists"] += 1


@transaction.atomic
def seed_demo_region(*, now: datetime | None = None) -> SeedReport:
    """Create whatever part of the demo region is missing; a second run writes nothing.

    Records that already exist are left exactly as they are (an operator's edits survive).
    Returns the region's totals, what this run created, and the demo logins.
    """
    now = now or timezone.now()
    report = SeedReport()
    plan = build_plan()
    regions = _ensure_regions(report)
    agencies = _ensure_agencies(regions, report)
    _ensure_hospitals(agencies, now, report)
    members = _ensure_members(agencies, plan, report)
    _ensure_logins(agencies, members, plan, report)
    _ensure_lists(regions, agencies, members, plan, report)

    county = regions[COUNTY_CODE]
    report.region = f"{county.name}, {regions[STATE_CODE].name}"
    in_demo = list(agencies.values())
    report.agencies = len(in_demo)
    report.hospitals = Hospital.objects.filter(agency__in=in_demo).count()
    report.members = Member.objects.filter(agency__in=in_demo).count()
    report.contact_points = ContactPoint.objects.filter(member__agency__in=in_demo).count()
    report.lists = DistributionList.objects.filter(region__in=regions.values()).count()
    return report


def login_table(rows: Iterable[tuple[str, str, str]], password: str = DEMO_PASSWORD) -> str:
    """The demo logins as a plain-text table."""
    header = ("username", "role", "agency", "password")
    body = [(*row, password) for row in rows]
    widths = [max(len(r[i]) for r in (header, *body)) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in body]
    head = "  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    return "\n".join(line.rstrip() for line in (head, rule, *lines))

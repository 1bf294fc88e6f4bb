"""`manage.py interop_demo [--out DIR]`: play an exercise incident in the demo county and
prove its CAP sequence (Alert → Update → all clear) and the county's HAVE feed against the
OASIS schemas. Writes each document to DIR and prints what it checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from lxml import etree

from agencies.demo import COUNTY_CODE
from agencies.models import Region
from incidents import services
from incidents.models import Incident
from interop import cap, de, have
from interop.xml import CAP_NS, to_bytes, validation_errors


class Command(BaseCommand):
    help = "Play an exercise incident in the demo county and validate its CAP and HAVE output."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="interop-demo", help="Directory for the documents.")

    def _check(self, root: Any, path: Path) -> bool:
        path.write_bytes(to_bytes(root))
        errors = validation_errors(root)
        verdict = "valid" if not errors else "INVALID: " + "; ".join(errors)
        self.stdout.write(f"  {path}: {verdict}")
        return not errors

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(code=COUNTY_CODE).first()
        if region is None:
            call_command("seed_demo", stdout=self.stdout if options["verbosity"] > 1 else None)
            region = Region.objects.get(code=COUNTY_CODE)
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)

        via = "Interop demo"
        incident = services.incident_declare(
            actor=None,
            region=region,
            title="Exercise: active shooter at Riverside High School",
            kind=Incident.Kind.ACTIVE_SHOOTER,
            location_text="Riverside High School",
            latitude=39.7589,
            longitude=-84.1916,
            application=Incident.Application.EXERCISE,
            estimated={"immediate": 4, "delayed": 6, "minor": 15},
            casualty_population=Incident.Population.MIXED,
            via=via,
        )
        rows = list(incident.hospitals.select_related("hospital__agency"))
        if rows:
            services.hospital_answer_capacity(
                actor=None,
                incident_hospital=rows[0],
                immediate=2,
                delayed=4,
                minor=8,
                actor_label=via,
            )
        if len(rows) > 1:
            services.incident_hospital_remove(actor=None, incident_hospital=rows[-1])
        services.incident_deescalate(actor=None, incident=incident)
        # The HAVE feed while the incident is open: the capacity answer shows on it.
        status = have.hospital_status(region)
        services.incident_close(
            actor=None, incident=incident, summary="Exercise ended; all patients placed."
        )

        self.stdout.write(
            f"Exercise incident {incident.number} in {region.name} (status Exercise):"
        )
        ok = True
        for message, alert in cap.alerts(incident):
            response = alert.findtext(f"{{{CAP_NS}}}info/{{{CAP_NS}}}responseType")
            status_text = alert.findtext(f"{{{CAP_NS}}}status")
            references = alert.findtext(f"{{{CAP_NS}}}references") or ""
            self.stdout.write(
                f"- CAP {message.msg_type} {cap.identifier(incident, message.seq)} "
                f"status={status_text} responseType={response} "
                f"references={len(references.split())}: {message.lines[0]}"
            )
            ok &= self._check(alert, out / f"cap-{message.seq:03d}-{message.msg_type}.xml")
        self.stdout.write(f"- EDXL-HAVE HospitalStatus of {region.name}:")
        ok &= self._check(status, out / "have-hospital-status.xml")
        self.stdout.write("- the HAVE feed in an EDXL-DE 2.0 envelope:")
        envelope = de.Envelope(
            distribution_id=f"asim.{region.code}.have.demo",
            sender_id=f"{region.code}@asim.invalid",
            status="Exercise",
            kind="Report",
            sender_role=region.name,
            recipient_roles=("Neighbouring county",),
        )
        ok &= self._check(de.wrap(status, envelope, region.time_zone), out / "have-in-de.xml")
        hospitals = len(status.findall(f"{{{have.HAVE_NS}}}Hospital"))
        self.stdout.write(f"{hospitals} hospital(s) in the HAVE feed.")
        if not ok:
            raise CommandError("Some documents do not validate.")
        self.stdout.write(f"All documents valid against {etree.__name__} and the OASIS XSDs.")

"""``manage.py demo``: the demo assembled from each app's demo module, in floor order.

It lives on the top floor (transport) because it drives every app: laborbridge's campaigns
and logins, workers, jobs (employers, vacancies, HR logins), matching (the round and the
answers) and transport (trips, the plan).
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from jobs.demo import demo_employers_load, demo_hr_logins, demo_vacancies_load
from laborbridge import crypto, registry
from laborbridge.demo import (
    DemoResult,
    demo_calendar,
    demo_campaigns_ensure,
    demo_ground_logins,
    demo_reference_check,
)
from matching.demo import demo_matches_load
from transport.demo import demo_plan_confirm, demo_return_trip_load, demo_transport_load
from workers.demo import demo_workers_load


@transaction.atomic
def demo_load(
    *, seed: int = 2026, workers: int = 2000, employers: int = 120, vacancies: int = 400
) -> DemoResult:
    """Load the demo data set; safe to run again (adds nothing the second time)."""
    demo_reference_check()
    calendar = demo_calendar()
    campaigns = demo_campaigns_ensure(calendar)
    result = DemoResult()
    result.workers_created = demo_workers_load(seed=seed, count=workers, calendar=calendar)
    result.employers_created, employer_rows = demo_employers_load(seed=seed + 1, count=employers)
    result.vacancies_created = demo_vacancies_load(
        seed=seed + 2,
        employers=employer_rows,
        count=vacancies,
        calendar=calendar,
        campaigns_now=[c for c in campaigns if c.starts_on <= calendar.today],
    )
    result.logins = demo_ground_logins() + demo_hr_logins(employer_rows)
    demo_transport_load(calendar=calendar)
    demo_return_trip_load(calendar=calendar)  # planned with the travellers (--with-travellers)
    # Touch the crypto keys once more so a misconfigured key fails here, not on first page.
    crypto.id_number_blind_index("000000000000000000")
    return result


def demo_travellers_load(*, seed: int = 2026, limit: int = 700) -> int:
    """Run the demo campaign's matching round, answer offers, plan and confirm the trips;
    return how many workers were confirmed (0 when the campaign already had its round)."""
    confirmed = demo_matches_load(seed=seed, limit=limit)
    if confirmed is None:
        return 0
    demo_plan_confirm(seed=seed)
    return confirmed


class Command(BaseCommand):
    help = (
        "Load reference data and the realistic demo data set (dates relative to today), "
        "then print one login per role."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2000)
        parser.add_argument("--employers", type=int, default=120)
        parser.add_argument("--vacancies", type=int, default=400)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--with-travellers",
            action="store_true",
            help=(
                "Also run the demo campaign's matching round, answer up to 700 offers, and "
                "plan and confirm the trips (what `make demo` does)."
            ),
        )
        parser.add_argument("--host", default="127.0.0.1", help="Only for the printed address.")
        parser.add_argument("--port", default="8000", help="Only for the printed address.")

    def handle(self, *args, **options):
        started = time.perf_counter()
        call_command("load_reference", stdout=self.stdout)
        result = demo_load(
            seed=options["seed"],
            workers=options["workers"],
            employers=options["employers"],
            vacancies=options["vacancies"],
        )
        self.stdout.write(
            f"Demo data: {result.workers_created} workers, {result.employers_created} employers, "
            f"{result.vacancies_created} vacancies created (0 means already present)."
        )
        calendar = demo_calendar()
        self.stdout.write(
            f"Dates relative to today ({calendar.today}): campaign open "
            f"{calendar.campaign_starts} – {calendar.campaign_ends}, special train "
            f"{calendar.train_day}, first vacancies start {calendar.first_start}."
        )
        if options["with_travellers"]:
            confirmed = demo_travellers_load(seed=options["seed"])
            self.stdout.write(
                f"Matching round run; {confirmed} workers confirmed by both sides and planned "
                "onto the trips (0 means already done)."
            )
        # Steps of the apps above transport (e.g. the workers' personal links).
        base_url = f"http://{options['host']}:{options['port']}"
        for line in registry.demo_steps_run(base_url=base_url):
            self.stdout.write(line)
        self.stdout.write(f"Loaded in {time.perf_counter() - started:.1f} s.")
        self.stdout.write("")
        self.stdout.write("Logins (username / password / role):")
        for username, password, role in result.logins:
            self.stdout.write(f"  {username:<18} {password:<12} {role}")
        self.stdout.write(
            self.style.SUCCESS(f"Open http://{options['host']}:{options['port']}/ and sign in.")
        )

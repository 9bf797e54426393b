import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from laborbridge.demo import demo_calendar, demo_load


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
            from laborbridge.demo import demo_travellers_load

            confirmed = demo_travellers_load(seed=options["seed"])
            self.stdout.write(
                f"Matching round run; {confirmed} workers confirmed by both sides and planned "
                "onto the trips (0 means already done)."
            )
        self.stdout.write(f"Loaded in {time.perf_counter() - started:.1f} s.")
        self.stdout.write("")
        self.stdout.write("Logins (username / password / role):")
        for username, password, role in result.logins:
            self.stdout.write(f"  {username:<18} {password:<12} {role}")
        self.stdout.write(
            self.style.SUCCESS(f"Open http://{options['host']}:{options['port']}/ and sign in.")
        )

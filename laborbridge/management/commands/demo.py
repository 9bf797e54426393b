from django.core.management import call_command
from django.core.management.base import BaseCommand

from laborbridge.demo import demo_load


class Command(BaseCommand):
    help = "Load reference data and the realistic demo data set, then print one login per role."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2000)
        parser.add_argument("--employers", type=int, default=120)
        parser.add_argument("--vacancies", type=int, default=400)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--with-travellers",
            action="store_true",
            help="Also run a matching round and answer 700 offers, so transport can be planned at once.",
        )

    def handle(self, *args, **options):
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
        if options["with_travellers"]:
            from laborbridge.demo import demo_travellers_load

            confirmed = demo_travellers_load(seed=options["seed"])
            self.stdout.write(
                f"Matching round run; {confirmed} workers confirmed by both sides (travellers)."
            )
        self.stdout.write("")
        self.stdout.write("Logins (username / password / role):")
        for username, password, role in result.logins:
            self.stdout.write(f"  {username:<18} {password:<12} {role}")
        self.stdout.write(self.style.SUCCESS("Open http://127.0.0.1:8000/ and sign in."))

"""One TOTP code sent twenty times at once is accepted once (a stolen code cannot open a second session)."""

import threading

from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from custos.accounts.models import Role, School, Trust
from custos.test import TEST_PASSWORD, CustosTransactionTestCase, give_role, make_user


class TotpRaceTests(CustosTransactionTestCase):
    def test_one_code_submitted_twenty_times_at_once_succeeds_once(self) -> None:
        trust = Trust.objects.create(name="Trust")
        school = School.objects.create(trust=trust, name="Oak", urn="100001", website="https://oak.example/")
        head = make_user("head", school=school)
        give_role(head, Role.HEAD_OF_SCHOOL, school)
        device = TOTPDevice.objects.create(user=head, name="phone", confirmed=True)
        clients = []
        for _ in range(20):
            client = Client()
            client.post("/account/login/", {"username": "head", "password": TEST_PASSWORD})
            clients.append(client)
        code = f"{totp(device.bin_key):06d}"
        barrier = threading.Barrier(len(clients))
        outcomes: list[int] = []

        def submit(client: Client) -> None:
            try:
                barrier.wait()
                response = client.post("/account/two-factor/", {"token": code})
                outcomes.append(response.status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(outcomes), 20)
        self.assertEqual(outcomes.count(302), 1, outcomes)  # one redirect onwards; the rest are told "not accepted"
        verified = sum(c.get("/").status_code == 200 for c in clients)
        self.assertEqual(verified, 1)

"""Invoices over /api/v1: lists with filters and cursors, one invoice with
its lines, its PDF, and every credential limited to what it may see."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.woow_paas_api.tests.common import WoowPaasApiCase


@tagged("post_install", "-at_install")
class TestApiInvoices(WoowPaasApiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env, login="test_api_accountant",
            groups="woow_paas_core.group_paas_user,account.group_account_invoice",
        )  # fmt: skip
        cls.accountant_key = cls._key(cls.accountant, "wpk_accountnt_secret_012345",
                                      scopes="billing:read")  # fmt: skip
        cls.bill_key_a = cls._key(cls.portal_a, "wpk_invcusta_secret_012345",
                                  scopes="billing:read")  # fmt: skip
        cls.bill_key_b = cls._key(cls.portal_b, "wpk_invcustb_secret_012345",
                                  scopes="billing:read")  # fmt: skip
        cls.sub_a = cls._subscription(partner=cls.customer_a)
        cls.sub_b = cls._subscription(partner=cls.customer_b)
        product = cls.env["product.product"].create({"name": "Seat", "taxes_id": False})

        def invoice(partner, price, sub=False, post=True, move_type="out_invoice"):
            move = cls.env["account.move"].create({
                "move_type": move_type, "partner_id": partner.id,
                "paas_subscription_id": sub and sub.id,
                "invoice_line_ids": [Command.create(
                    {"product_id": product.id, "name": f"Seat x{price}", "quantity": 2,
                     "price_unit": price, "tax_ids": False})],
            })  # fmt: skip
            if post:
                move.action_post()
            return move

        cls.inv_a1 = invoice(cls.contact_a, 10.0, cls.sub_a)
        cls.inv_a2 = invoice(cls.customer_a, 20.0)
        cls.draft_a = invoice(cls.customer_a, 30.0, post=False)
        cls.refund_a = invoice(cls.customer_a, 5.0, move_type="out_refund")
        cls.inv_b = invoice(cls.customer_b, 40.0, cls.sub_b)

    def _ids(self, response):
        self.assertEqual(response.status_code, 200, response.text[:500])
        return [row["id"] for row in response.json()["data"]]

    def test_customer_sees_its_own_posted_invoices(self):
        """A customer key lists its customer's posted invoices and credit
        notes (contacts' too), never drafts nor another customer's."""
        ids = self._ids(self.api("GET", "/api/v1/invoices", self.bill_key_a))
        self.assertEqual(ids, [self.refund_a.id, self.inv_a2.id, self.inv_a1.id])
        row = self.api("GET", f"/api/v1/invoices/{self.inv_a1.id}", self.bill_key_a).json()
        self.assertEqual(row["number"], self.inv_a1.name)
        self.assertEqual((row["type"], row["state"], row["payment_state"]),
                         ("invoice", "posted", "not_paid"))  # fmt: skip
        self.assertEqual((row["amount_total"], row["amount_due"]), (20.0, 20.0))
        self.assertEqual(row["subscription_id"], self.sub_a.id)
        self.assertEqual(row["customer_id"], self.customer_a.id)
        self.assertEqual(row["lines"], [{"description": "Seat x10.0", "quantity": 2.0,
                                         "price_unit": 10.0, "subtotal": 20.0,
                                         "total": 20.0}])  # fmt: skip
        refund = self.api("GET", f"/api/v1/invoices/{self.refund_a.id}", self.bill_key_a).json()
        self.assertEqual((refund["type"], refund["amount_total"]), ("credit_note", 10.0))
        for other in (self.inv_b, self.draft_a):
            for path in (f"/api/v1/invoices/{other.id}", f"/api/v1/invoices/{other.id}/pdf"):
                self.assertProblem(self.api("GET", path, self.bill_key_a), 404)
        self.assertEqual(self._ids(self.api("GET", "/api/v1/invoices", self.bill_key_b)),
                         [self.inv_b.id])  # fmt: skip
        # A customer filtering on another customer finds nothing.
        self.assertEqual(
            self._ids(
                self.api(
                    "GET", f"/api/v1/invoices?customer_id={self.customer_b.id}", self.bill_key_a
                )
            ),
            [],
        )

    def test_filters_and_cursor(self):
        """Operators filter by state, payment state, subscription, customer
        and dates, and page with cursors."""
        mine = [self.inv_a1, self.inv_a2, self.draft_a, self.refund_a, self.inv_b]
        key = self.accountant_key

        def ids(query):
            found = self._ids(self.api("GET", f"/api/v1/invoices?{query}", key))
            return [i for i in found if i in {m.id for m in mine}]

        self.assertEqual(ids("state=draft"), [self.draft_a.id])
        self.assertEqual(ids(f"subscription_id={self.sub_b.id}"), [self.inv_b.id])
        self.assertEqual(
            ids(f"customer_id={self.customer_a.id}"),
            [self.refund_a.id, self.draft_a.id, self.inv_a2.id, self.inv_a1.id],
        )
        self.inv_a2.write({"payment_state": "paid"})  # as a reconciliation would
        self.assertEqual(ids(f"payment_state=paid&customer_id={self.customer_a.id}"),
                         [self.inv_a2.id])  # fmt: skip
        self.assertEqual(ids("created_since=2999-01-01T00:00:00Z"), [])
        self.assertProblem(self.api("GET", "/api/v1/invoices?state=open", key), 400)
        self.assertProblem(self.api("GET", "/api/v1/invoices?payment_state=x", key), 400)
        seen, cursor = [], None
        while True:
            query = f"customer_id={self.customer_a.id}&limit=3" + (
                f"&cursor={cursor}" if cursor else ""
            )
            page = self.api("GET", f"/api/v1/invoices?{query}", key).json()
            seen += [row["id"] for row in page["data"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, [self.refund_a.id, self.draft_a.id, self.inv_a2.id,
                                self.inv_a1.id])  # fmt: skip

    def test_scope_and_rights(self):
        """Without billing:read → 403; an operator without Accounting rights
        is not given billing:read, and one who lost them since → 403; no
        credential → 401."""
        self.assertProblem(self.api("GET", "/api/v1/invoices", self.key_a), 403)
        with self.assertRaises(ValidationError):
            self._key(self.paas_user, "wpk_norights_secret_0123456", scopes="billing:read")
        former = new_test_user(
            self.env, login="test_api_former_accountant",
            groups="woow_paas_core.group_paas_user,account.group_account_invoice",
        )  # fmt: skip
        lost = self._key(former, "wpk_lostright_secret_0123456", scopes="billing:read")
        former.group_ids -= self.env.ref("account.group_account_invoice")
        self.assertProblem(self.api("GET", "/api/v1/invoices", lost), 403)
        self.assertProblem(self.api("GET", f"/api/v1/invoices/{self.inv_a1.id}/pdf"), 401)

    def test_pdf(self):
        """The PDF route answers Odoo's invoice report of the customer's own
        invoice (rendered as HTML under tests, PDF on a real server: see
        tests/test_api_workers.py)."""
        answer = self.api("GET", f"/api/v1/invoices/{self.inv_a1.id}/pdf", self.bill_key_a)
        self.assertEqual(answer.status_code, 200, answer.text[:300])
        self.assertIn(self.inv_a1.name.replace("/", "-"),
                      answer.headers["Content-Disposition"])  # fmt: skip
        self.assertIn(self.inv_a1.name, answer.text)
        self.assertIn("X-RateLimit-Remaining", answer.headers)

    def test_openapi_lists_the_invoice_routes(self):
        """Installed, the bridge's routes are in the OpenAPI document."""
        doc = self.api("GET", "/api/v1/openapi.json").json()
        self.assertIn("get", doc["paths"]["/api/v1/invoices"])
        self.assertIn("get", doc["paths"]["/api/v1/invoices/{invoice_id}"])
        pdf = doc["paths"]["/api/v1/invoices/{invoice_id}/pdf"]["get"]
        self.assertIn("application/pdf", pdf["responses"]["200"]["content"])
        self.assertIn("503", pdf["responses"])
        self.assertIn("InvoiceDetail", doc["components"]["schemas"])

    def test_graphql_invoices(self):
        """Installed, the bridge adds invoices to GraphQL with the REST
        routes' scoping: a customer's own posted ones, the scope required."""
        query = "{ invoices(first: 10) { id number type amount_total subscription_id } }"
        answer = self.api("POST", "/api/graphql", self.bill_key_a, {"query": query})
        self.assertEqual(answer.status_code, 200, answer.text[:500])
        rows = answer.json()["data"]["invoices"]
        self.assertEqual([row["id"] for row in rows],
                         [self.refund_a.id, self.inv_a2.id, self.inv_a1.id])  # fmt: skip
        self.assertEqual(rows[2]["amount_total"], 20.0)
        self.assertEqual(rows[2]["subscription_id"], self.sub_a.id)
        filtered = self.api(
            "POST", "/api/graphql", self.bill_key_a,
            {"query": f"{{ invoices(subscription_id: {self.sub_a.id}) {{ id }} }}"},
        ).json()  # fmt: skip
        self.assertEqual(filtered["data"]["invoices"], [{"id": self.inv_a1.id}])
        self.assertProblem(self.api("POST", "/api/graphql", self.key_a, {"query": query}), 403)
        # Its lists count in the query's cost like core's: 51 × 100 > 5,000.
        costly = "{ " + " ".join(f"a{i}: invoices(first: 100) {{ id }}" for i in range(51)) + " }"
        answer = self.api("POST", "/api/graphql", self.bill_key_a, {"query": costly})
        self.assertProblem(answer, 400)
        self.assertIn("5100 records", answer.text)
        self.assertIn("invoices", self.api("GET", "/api/graphql/schema").text)

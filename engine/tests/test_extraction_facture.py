"""The local provider on French ERP invoices (factures) as accounting systems print them.

A totals box whose captions ("TOTAL HT | TOTAL TVA | TOTAL TTC") stand above their amounts with
small print beside them, a VAT breakdown by rate above it, references to an earlier invoice in the
header, and a seller block listing SIRET, DUNS and the intra-community VAT number. Each document
is a real PDF (the billing_pdf fixture) read through the public provider.
"""

from __future__ import annotations

from decimal import Decimal

HEADER = [
    "#Atelier Lumen SARL",
    "12 rue des Tanneurs|||FACTURE N° : F20260412",
    "69002 Lyon|||Date : 28/02/2026",
    "SIRET : 12345678200077 - DUNS : DUNS1235487",
    "N° TVA intra : FR 11 123 456 782",
    "|||Client : Maison Verdier",
]

TOTALS_BOX = HEADER + [
    "Désignation|Qté|P.U. HT|Total HT",
    "Conseil|2,00|100,00|200,00",
    "Papeterie|1,00|50,00|50,00",
    "Détail TVA|Taux|Base TVA|Montant TVA",
    "|20,00%|200,00|40,00",
    "|5,50%|50,00|2,75",
    "Pénalités de retard|TOTAL HT|TOTAL TVA|TOTAL TTC",
    "au taux légal.",
    "Escompte : néant.",
    "|250,00|42,75|292,75",
]


def test_totals_box_captions_above_their_amounts(write_doc, local, billing_pdf):
    """The box's amounts are the invoice's subtotal, tax and total, though small print stands
    between caption and amount; the first row of the VAT breakdown by rate is not the tax."""
    prompt = "Extract the invoice number, date, subtotal, tax and total"
    d = local.extract(write_doc("box.pdf", billing_pdf(TOTALS_BOX)), prompt, "invoice")["data"]
    assert d["invoice_number"] == "F20260412"
    assert d["date"] == "2026-02-28"
    assert Decimal(str(d["subtotal"])) == Decimal("250.00")
    assert Decimal(str(d["tax"])) == Decimal("42.75")
    assert Decimal(str(d["total"])) == Decimal("292.75")


def test_a_single_rate_breakdown_gives_the_tax(write_doc, local, billing_pdf):
    """With one VAT rate, the breakdown's only row is the invoice's tax."""
    lines = HEADER + [
        "Désignation|Qté|P.U. HT|Total HT",
        "Conseil|2,00|100,00|200,00",
        "Détail TVA|Taux|Base TVA|Montant TVA",
        "|20,00%|200,00|40,00",
        "Conditions de paiement : 30 jours net",
        "|||Net à payer : 240,00 €",
    ]
    prompt = "Extract the tax and total"
    d = local.extract(write_doc("one_rate.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert Decimal(str(d["tax"])) == Decimal("40.00")
    assert Decimal(str(d["total"])) == Decimal("240.00")


def test_the_associated_invoice_is_not_this_one(write_doc, local, billing_pdf):
    """ "Date de facture associée" and "N° de facture associée" quote an earlier invoice."""
    lines = [
        "#Atelier Lumen SARL",
        "Références sur la facture",
        "N° de facture associée : F20260003",
        "Date de facture associée : 01/01/2026",
        "|||FACTURE N° : F20260023",
        "|||Date : 31/01/2026",
        "Conseil|||60,00",
        "|||Total TTC : 72,00 €",
    ]
    prompt = "Extract the invoice number, date and total"
    d = local.extract(write_doc("assoc.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert d["invoice_number"] == "F20260023"
    assert d["date"] == "2026-01-31"
    assert Decimal(str(d["total"])) == Decimal("72.00")


def test_intra_community_vat_number_is_the_seller_tax_id(write_doc, local, billing_pdf):
    """The seller's VAT number is the one after "N° TVA intra", not the SIRET above it."""
    prompt = "Extract the vendor VAT number"
    d = local.extract(write_doc("ids.pdf", billing_pdf(TOTALS_BOX)), prompt, "invoice")["data"]
    assert d["vendor_vat_number"] == "FR11123456782"


def test_a_tax_id_ends_at_the_next_caption(write_doc, local, billing_pdf):
    """ "SIRET : 12345678200077 - DUNS : DUNS1235487" holds two numbers: the SIRET is the first."""
    lines = [line for line in TOTALS_BOX if "TVA intra" not in line]
    prompt = "Extract the vendor tax id"
    d = local.extract(write_doc("siret.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert d["vendor_tax_id"] == "12345678200077"


def test_the_imprint_names_the_seller_whose_logo_is_a_picture(write_doc, local, billing_pdf):
    """The seller's name is only in its logo (a picture) and in the imprint, over "Sarl au
    capital de …": the addressee's block at the top right is the customer, not the seller."""
    lines = [
        "|||ALEXINUX",
        "|||de Lattre Alexis",
        "|||27 rue Henri Rolland",
        "|||69100 Villeurbanne",
        "|Facture n° 2022089083",
        "Date : 28/11/2022",
        "Désignation|Nombre|P.U. HT|Montant HT",
        "Annonce légale|1|45,93 €|45,93 €",
        "||Total HT :|45,93 €",
        "||TVA 20% :|9,19 €",
        "||Total TTC :|55,12 €",
        "_NETPRESSE",
        "_Siège social : 16 rue Mollien - 92100 BOULOGNE",
        "_Sarl au capital de 10 000€ - RCS Paris B 530 848 134 – Siret 53084813400017",
    ]
    prompt = "Extract the invoice number, date, vendor, customer and total"
    d = local.extract(write_doc("imprint.pdf", billing_pdf(lines)), prompt, "invoice")["data"]
    assert d["invoice_number"] == "2022089083"
    assert d["vendor"] == "NETPRESSE"
    assert d["customer"] == "ALEXINUX"
    assert Decimal(str(d["total"])) == Decimal("55.12")

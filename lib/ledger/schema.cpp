#include "schema.hpp"

#include <array>

namespace billrun::ledger {

namespace {

// v1: runs, the append-only event table, and the master data that import loads.
constexpr std::string_view k_v1 = R"sql(
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    business_date TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    counts TEXT
);

-- Keyed by the record it speaks of, so a record's history is one range of the table and
-- writing an event is one b-tree insert. `seq` orders the events of one run.
CREATE TABLE events (
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    run INTEGER NOT NULL,  -- runs(id); not a foreign key: checked on every insert, never violated
    seq INTEGER NOT NULL,
    action TEXT NOT NULL,
    detail TEXT,
    -- A bulk event (cycle's "issued" for a batch) names the range of integer keys it covers.
    key_from INTEGER,
    key_to INTEGER,
    PRIMARY KEY (entity, entity_id, run, seq)
) WITHOUT ROWID;
CREATE INDEX events_by_key_range ON events(entity, key_from) WHERE key_from IS NOT NULL;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    tax_id TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    street TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL DEFAULT '',
    complement TEXT NOT NULL DEFAULT '',
    district TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    city_code TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    zip TEXT NOT NULL DEFAULT '',
    municipal_registration TEXT NOT NULL DEFAULT '',
    iss_withheld INTEGER NOT NULL DEFAULT 0,
    owner TEXT NOT NULL DEFAULT '',
    content_hash INTEGER NOT NULL,
    run INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    unit_price INTEGER,
    service_code TEXT NOT NULL DEFAULT '',
    iss_rate INTEGER,
    content_hash INTEGER NOT NULL,
    run INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    customer TEXT NOT NULL REFERENCES customers(id),
    start TEXT NOT NULL,
    start_time TEXT NOT NULL DEFAULT '',
    end_date TEXT,
    cycle TEXT NOT NULL,
    billing TEXT NOT NULL,
    due_days INTEGER,
    due_day INTEGER,
    series TEXT NOT NULL DEFAULT '',
    payment_method TEXT NOT NULL,
    auto_send INTEGER NOT NULL DEFAULT 0,
    template TEXT NOT NULL DEFAULT '',
    bank_account TEXT NOT NULL DEFAULT '',
    iss_withheld INTEGER,
    content_hash INTEGER NOT NULL,
    run INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX contracts_by_customer ON contracts(customer);

CREATE TABLE contract_items (
    contract TEXT NOT NULL REFERENCES contracts(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    service TEXT NOT NULL REFERENCES services(id),
    quantity INTEGER NOT NULL,
    price INTEGER,
    PRIMARY KEY (contract, position)
) WITHOUT ROWID;
)sql";

// v2: invoices and their lines, one-off charges, and the gapless number of each series.
constexpr std::string_view k_v2 = R"sql(
CREATE TABLE series_numbers (
    series TEXT PRIMARY KEY,
    last_number INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    series TEXT NOT NULL,
    number INTEGER,
    status TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'paid', 'partly-paid', 'cancelled')),
    customer TEXT NOT NULL REFERENCES customers(id),
    contract TEXT REFERENCES contracts(id),
    period_index INTEGER,
    period_start TEXT,
    period_end TEXT,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    gross INTEGER NOT NULL,
    iss INTEGER NOT NULL,
    iss_withheld INTEGER NOT NULL,
    pis INTEGER NOT NULL,
    cofins INTEGER NOT NULL,
    csll INTEGER NOT NULL,
    irrf INTEGER NOT NULL,
    inss INTEGER NOT NULL,
    withheld INTEGER NOT NULL,
    net INTEGER NOT NULL,
    balance INTEGER NOT NULL,
    payment_method TEXT NOT NULL,
    bank_account TEXT NOT NULL,
    run INTEGER NOT NULL,
    CHECK ((status = 'draft') = (number IS NULL)),
    CHECK (gross - withheld = net)
);
-- Exactly once: one invoice per contract period, whatever is re-run or run at once.
CREATE UNIQUE INDEX invoices_one_per_period ON invoices(contract, period_start);
-- Numbers are unique within a series (gapless by construction: see series_numbers).
CREATE UNIQUE INDEX invoices_number ON invoices(series, number);

CREATE TABLE invoice_lines (
    invoice INTEGER NOT NULL REFERENCES invoices(id),
    position INTEGER NOT NULL,
    service TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    iss_rate INTEGER NOT NULL,
    iss INTEGER NOT NULL,
    charge TEXT,
    PRIMARY KEY (invoice, position)
) WITHOUT ROWID;
-- A charge is billed once, ever.
CREATE UNIQUE INDEX invoice_lines_charge ON invoice_lines(charge) WHERE charge IS NOT NULL;

CREATE TABLE charges (
    id TEXT PRIMARY KEY,
    customer TEXT NOT NULL REFERENCES customers(id),
    contract TEXT REFERENCES contracts(id),
    date TEXT NOT NULL,
    service TEXT NOT NULL REFERENCES services(id),
    quantity INTEGER NOT NULL,
    price INTEGER,
    description TEXT NOT NULL DEFAULT '',
    invoice INTEGER REFERENCES invoices(id),
    content_hash INTEGER NOT NULL,
    run INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX charges_unbilled ON charges(customer, contract) WHERE invoice IS NULL;
)sql";

// v3: boletos, each account's nosso número sequence, and the remessa files with their NSA.
constexpr std::string_view k_v3 = R"sql(
CREATE TABLE bank_sequences (
    account TEXT PRIMARY KEY,
    last_nosso_numero INTEGER NOT NULL,
    last_remessa INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- A remessa is recorded (with its titles) before its file is written, so a run killed in
-- between rewrites the same file, with the same NSA and content, instead of losing it.
CREATE TABLE remessas (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    layout TEXT NOT NULL,
    path TEXT NOT NULL,
    generated TEXT NOT NULL,
    generated_time TEXT NOT NULL,
    titles INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'writing' CHECK (status IN ('writing', 'written')),
    run INTEGER NOT NULL,
    UNIQUE (account, sequence)
);

CREATE TABLE boletos (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL UNIQUE REFERENCES invoices(id),  -- one boleto per invoice, ever
    account TEXT NOT NULL,
    bank TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    nosso_numero TEXT NOT NULL,
    nosso_numero_dv TEXT NOT NULL,
    nosso_numero_display TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    fine_percent INTEGER NOT NULL,
    interest_per_day INTEGER NOT NULL,
    barcode TEXT NOT NULL CHECK (length(barcode) = 44),
    linha_digitavel TEXT NOT NULL CHECK (length(linha_digitavel) = 47),
    pix TEXT,
    pdf TEXT,
    remessa INTEGER REFERENCES remessas(id),
    status TEXT NOT NULL DEFAULT 'issued',
    run INTEGER NOT NULL,
    UNIQUE (account, sequence),            -- a nosso número is never reused
    UNIQUE (account, nosso_numero)
);
CREATE INDEX boletos_pending_remessa ON boletos(account) WHERE remessa IS NULL;
CREATE INDEX boletos_pending_pdf ON boletos(id) WHERE pdf IS NULL;
)sql";

// v4: payments (each bank record applied once, ever), reconciled files (by content hash) and
// customer credits (overpayments, used by the customer's next invoices).
constexpr std::string_view k_v4 = R"sql(
-- The nosso número without leading zeros: what retorno records are matched on.
ALTER TABLE boletos ADD COLUMN nosso_key TEXT NOT NULL DEFAULT '';
UPDATE boletos SET nosso_key = ltrim(nosso_numero, '0');
CREATE INDEX boletos_by_nosso_key ON boletos(bank, nosso_key);

CREATE TABLE reconciled_files (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    records INTEGER NOT NULL,
    run INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    source_key TEXT NOT NULL UNIQUE,  -- the bank record's identity: never applied twice, in any file
    source TEXT NOT NULL,
    record TEXT NOT NULL,
    invoice INTEGER REFERENCES invoices(id),
    boleto INTEGER REFERENCES boletos(id),
    nosso_numero TEXT,
    date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    interest INTEGER NOT NULL DEFAULT 0,
    fine INTEGER NOT NULL DEFAULT 0,
    fee INTEGER NOT NULL DEFAULT 0,
    credit_date TEXT,
    status TEXT NOT NULL CHECK (status IN ('applied', 'confirmed', 'written-off', 'unmatched', 'ambiguous', 'rejected')),
    reason TEXT,
    run INTEGER NOT NULL
);
CREATE INDEX payments_by_invoice ON payments(invoice);

-- Positive rows are credits (an overpayment); negative rows are credit used by an invoice.
CREATE TABLE customer_credits (
    id INTEGER PRIMARY KEY,
    customer TEXT NOT NULL REFERENCES customers(id),
    amount INTEGER NOT NULL,
    payment INTEGER REFERENCES payments(id),
    invoice INTEGER REFERENCES invoices(id),
    run INTEGER NOT NULL
);
CREATE INDEX customer_credits_by_customer ON customer_credits(customer);
)sql";

// v5: dunning. Each step of the policy is applied to an invoice at most once (the unique
// (invoice, step)); a row is written 'pending' before its message goes out and becomes
// 'sent' only after the server (or the outbox) took it. Collection stages follow remind.
constexpr std::string_view k_v5 = R"sql(
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(id),
    step INTEGER NOT NULL,                 -- the step's offset in days from the due date
    action TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'skipped', 'failed', 'unknown')),
    business_date TEXT NOT NULL,
    amount_due INTEGER NOT NULL,
    fine INTEGER NOT NULL,
    interest INTEGER NOT NULL,
    message TEXT,                          -- the .eml or PDF written, or "smtp"
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    run INTEGER NOT NULL,
    UNIQUE (invoice, step)                 -- the same step never twice for an invoice
);
CREATE INDEX reminders_open ON reminders(status) WHERE status IN ('pending', 'failed');

-- Statement lines are matched to open invoices by amount, or by payer.
CREATE INDEX invoices_open_by_balance ON invoices(balance) WHERE status IN ('issued', 'partly-paid');
CREATE INDEX invoices_open_by_customer ON invoices(customer) WHERE status IN ('issued', 'partly-paid');
CREATE INDEX customers_by_tax_id ON customers(tax_id);

-- The collection stage of an invoice, once remind (or a delivery) moved it; an invoice
-- without a row is 'created' (or 'due-date-set' once it has a boleto).
CREATE TABLE collection_stages (
    invoice INTEGER PRIMARY KEY REFERENCES invoices(id),
    stage TEXT NOT NULL CHECK (stage IN ('created', 'sent', 'due-date-set', 'reminded', 'overdue',
                                         'reminded-again', 'in-collection')),
    rank INTEGER NOT NULL,
    since TEXT NOT NULL,
    run INTEGER NOT NULL
);
)sql";

// v6: NFS-e. One row per invoice, ever, made when its DPS number is allocated (before
// anything is built or sent), so a retry or a re-run reuses the same DPS; the signed bytes
// and the authority's XML are kept exactly as they were written and received.
constexpr std::string_view k_v6 = R"sql(
CREATE TABLE dps_sequences (
    series TEXT PRIMARY KEY,
    last_number INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE nfse (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL UNIQUE REFERENCES invoices(id),  -- one DPS per invoice, ever
    standard TEXT NOT NULL,
    dps_series TEXT NOT NULL,
    dps_number INTEGER NOT NULL,
    dps_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'authorized', 'rejected', 'cancelled')),
    signed_xml BLOB,                       -- the signed DPS, byte for byte as written and sent
    xml_path TEXT,
    access_key TEXT UNIQUE,                -- chave de acesso (50 digits)
    nfse_number TEXT,
    authorized_xml BLOB,                   -- the NFS-e as the authority returned it
    authorized_path TEXT,
    error_code TEXT,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,   -- transmissions tried
    run INTEGER NOT NULL,                  -- the run that allocated it
    last_run INTEGER NOT NULL,             -- the last run that acted on it
    UNIQUE (dps_series, dps_number)        -- a DPS number is never reused
);
CREATE INDEX nfse_open ON nfse(status) WHERE status IN ('pending', 'signed', 'rejected');
CREATE INDEX nfse_by_last_run ON nfse(last_run);
)sql";

// v7: documents e-mailed to the customer when the contract says auto-send. A row per
// (invoice, document), ever: queued in the transaction that made the document (the boleto,
// the authorized NFS-e), 'pending' while a message carrying it goes out, 'sent' once the
// server or the outbox took it; 'unknown' when a run died mid-send over SMTP (never resent).
constexpr std::string_view k_v7 = R"sql(
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(id),
    document TEXT NOT NULL CHECK (document IN ('boleto', 'nfse')),
    -- dropped: no longer to send (the invoice was cancelled, or paid before its boleto went)
    status TEXT NOT NULL CHECK (status IN ('queued', 'pending', 'sent', 'failed', 'unknown', 'dropped')),
    message TEXT,                          -- the .eml written, or "smtp"
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    run INTEGER NOT NULL,                  -- the run that queued it
    last_run INTEGER NOT NULL,             -- the last run that acted on it
    UNIQUE (invoice, document)             -- each document e-mailed once
);
CREATE INDEX deliveries_open ON deliveries(invoice) WHERE status IN ('queued', 'pending', 'failed');
)sql";

// v8: NFS-e events sent to the authority (the cancellation, 101101). One row per NFS-e and
// event type, ever: written with the signed request before it is sent, so a retry or a
// re-run sends the same bytes; the event the authority returns is kept as it came.
constexpr std::string_view k_v8 = R"sql(
CREATE TABLE nfse_events (
    id INTEGER PRIMARY KEY,
    nfse INTEGER NOT NULL REFERENCES nfse(id),
    type TEXT NOT NULL,                    -- tipoEvento: 101101 cancelamento
    sequence INTEGER NOT NULL DEFAULT 1,   -- numSeqEvento
    request_id TEXT NOT NULL UNIQUE,       -- infPedReg Id: PRE + chave + tipoEvento
    status TEXT NOT NULL CHECK (status IN ('signed', 'registered', 'rejected')),
    code INTEGER NOT NULL,                 -- cMotivo
    reason TEXT NOT NULL,                  -- xMotivo
    signed_xml BLOB NOT NULL,              -- the signed request, byte for byte as written and sent
    xml_path TEXT NOT NULL,
    event_xml BLOB,                        -- the event as the authority returned it
    event_path TEXT,
    error_code TEXT,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    run INTEGER NOT NULL,
    last_run INTEGER NOT NULL,
    UNIQUE (nfse, type)                    -- each event of an NFS-e once
);
)sql";

// v9: an NFS-e the authority authorized after its invoice was cancelled (billrun cancel ran
// while emit-nfse was waiting for the answer) is 'authorized-after-cancel', never 'authorized'
// again: the trigger refuses any path that would make an NFS-e of a cancelled invoice
// authorized. SQLite cannot widen a CHECK in place: nfse is rebuilt, and nfse_events (the one
// table referring to it) with it, so the foreign key follows the renamed table.
constexpr std::string_view k_v9 = R"sql(
CREATE TABLE nfse_v9 (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL UNIQUE REFERENCES invoices(id),  -- one DPS (or RPS) per invoice, ever
    standard TEXT NOT NULL,                -- nacional | abrasf
    dps_series TEXT NOT NULL,
    dps_number INTEGER NOT NULL,
    dps_id TEXT NOT NULL UNIQUE,           -- DPS Id, or the RPS Id with abrasf
    status TEXT NOT NULL CHECK (status IN ('pending', 'signed', 'authorized', 'rejected', 'cancelled',
                                           'authorized-after-cancel')),
    signed_xml BLOB,                       -- the signed DPS (or lote), byte for byte as written and sent
    xml_path TEXT,
    access_key TEXT UNIQUE,                -- chave de acesso (50 digits)
    nfse_number TEXT,
    authorized_xml BLOB,                   -- the NFS-e as the authority returned it
    authorized_path TEXT,
    error_code TEXT,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,   -- transmissions tried
    run INTEGER NOT NULL,                  -- the run that allocated it
    last_run INTEGER NOT NULL,             -- the last run that acted on it
    UNIQUE (dps_series, dps_number)        -- a DPS number is never reused
);
INSERT INTO nfse_v9 SELECT * FROM nfse;
CREATE TABLE nfse_events_v9 (
    id INTEGER PRIMARY KEY,
    nfse INTEGER NOT NULL REFERENCES nfse_v9(id),
    type TEXT NOT NULL,                    -- tipoEvento: 101101 cancelamento
    sequence INTEGER NOT NULL DEFAULT 1,   -- numSeqEvento
    request_id TEXT NOT NULL UNIQUE,       -- infPedReg Id: PRE + chave + tipoEvento
    status TEXT NOT NULL CHECK (status IN ('signed', 'registered', 'rejected')),
    code INTEGER NOT NULL,                 -- cMotivo
    reason TEXT NOT NULL,                  -- xMotivo
    signed_xml BLOB NOT NULL,              -- the signed request, byte for byte as written and sent
    xml_path TEXT NOT NULL,
    event_xml BLOB,                        -- the event as the authority returned it
    event_path TEXT,
    error_code TEXT,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    run INTEGER NOT NULL,
    last_run INTEGER NOT NULL,
    UNIQUE (nfse, type)                    -- each event of an NFS-e once
);
INSERT INTO nfse_events_v9 SELECT * FROM nfse_events;
DROP TABLE nfse_events;
DROP TABLE nfse;
ALTER TABLE nfse_v9 RENAME TO nfse;
ALTER TABLE nfse_events_v9 RENAME TO nfse_events;
CREATE INDEX nfse_open ON nfse(status) WHERE status IN ('pending', 'signed', 'rejected');
CREATE INDEX nfse_by_last_run ON nfse(last_run);
CREATE TRIGGER nfse_no_authorization_after_cancel BEFORE UPDATE OF status ON nfse
WHEN NEW.status = 'authorized' AND OLD.status <> 'authorized'
     AND EXISTS (SELECT 1 FROM invoices WHERE id = NEW.invoice AND status = 'cancelled')
BEGIN SELECT RAISE(ABORT, 'the NFS-e of a cancelled invoice cannot become authorized'); END;
)sql";

// v10: boletos registered through bank APIs (SPEC §6a). Each registration is recorded, with
// the count of requests sent, before a request leaves, so that a run that lost an answer
// looks the boleto up instead of registering it twice; OAuth tokens are kept between runs
// (the ledger is mode 0600; a token never appears in output or events).
constexpr std::string_view k_v10 = R"sql(
CREATE TABLE boleto_registrations (
    boleto INTEGER PRIMARY KEY REFERENCES boletos(id),
    account TEXT NOT NULL,
    provider TEXT NOT NULL,                -- bb-cobranca-v2 | ...
    status TEXT NOT NULL CHECK (status IN ('pending', 'registered', 'rejected', 'mismatch')),
    attempts INTEGER NOT NULL DEFAULT 0,   -- registration requests sent, each counted before it left
    bank_id TEXT,                          -- the bank's identity of the boleto (BB numeroTituloCliente)
    error TEXT,                            -- the bank's rejection, or the barcode difference
    run INTEGER NOT NULL,
    last_run INTEGER NOT NULL
);
CREATE INDEX boleto_registrations_open ON boleto_registrations(status) WHERE status IN ('pending', 'rejected');
CREATE TABLE api_tokens (
    key TEXT PRIMARY KEY,                  -- provider, environment, token URL, client id, scope
    access_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL            -- unix seconds, a safety margin already taken off
);
)sql";

// v11 (payment identity across sources): a boleto payment is one payment whether a CNAB
// retorno, the bank's API list (reconcile --bank) or a confirmed webhook reports it. Its
// settlement is "boleto:<boleto>:<date paid>:<amount paid>:<n>", n counting identical
// payments of one boleto within one source (two equal records of a retorno are two
// payments); the unique index applies each once, ever, from any source. Earlier payments
// get theirs here, so a source seen after the upgrade finds them.
constexpr std::string_view k_v11_payment_identity = R"sql(
ALTER TABLE payments ADD COLUMN settlement TEXT;
UPDATE payments SET settlement = (
    SELECT 'boleto:' || r.boleto || ':' || r.date || ':' || r.amount || ':' || r.n
    FROM (SELECT id, boleto, date, amount,
                 row_number() OVER (PARTITION BY boleto, date, amount ORDER BY id) AS n
          FROM payments WHERE status = 'applied' AND boleto IS NOT NULL) r
    WHERE r.id = payments.id)
WHERE status = 'applied' AND boleto IS NOT NULL;
CREATE UNIQUE INDEX payments_settled_once ON payments(settlement) WHERE settlement IS NOT NULL;
)sql";

// v12 (bank-numbered registrations): boletos of banks that choose the nosso número themselves (Banco Inter v3). The request is
// recorded per invoice before it leaves, with the count of requests sent and, once the bank
// accepted it, the bank's id of the request; the boleto row is written only when the bank has
// numbered it and billrun has checked its barcode, so no boleto ever holds a number of its own
// invention for such a bank.
constexpr std::string_view k_v12_bank_requests = R"sql(
CREATE TABLE bank_requests (
    invoice INTEGER PRIMARY KEY REFERENCES invoices(id),  -- one request per invoice, ever
    account TEXT NOT NULL,
    provider TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'issued', 'rejected', 'mismatch')),
    attempts INTEGER NOT NULL DEFAULT 0,  -- registration requests sent, each counted before it left
    bank_id TEXT,                         -- the bank's id of the request (Inter codigoSolicitacao)
    boleto INTEGER REFERENCES boletos(id),
    error TEXT,
    run INTEGER NOT NULL,
    last_run INTEGER NOT NULL
);
CREATE INDEX bank_requests_open ON bank_requests(status) WHERE status IN ('pending', 'rejected');
)sql";

// v13 (boletos through fewer b-trees): a boleto was written through six, two of them unique
// indexes on (account, sequence) and (account, nosso número) that say the same thing, since
// every bank's nosso número is a function of the account's sequence (banks/*.cpp) or, for a
// bank that numbers its boletos itself, is the sequence. One unique index now keeps a nosso
// número from being used twice in an account, and is also the (bank, nosso_key) index that
// reconcile looks payments up by: (bank, nosso_key, account, nosso_numero), unique exactly
// when (bank, account, nosso_numero) is, so every ledger that kept the old constraints keeps
// this one. Table constraints cannot be dropped: the table is rebuilt, ids and rows as they
// were. Foreign keys stay on: dropping the old table counts each payment, registration and
// bank request that references a boleto as a deferred violation, and inserting the boleto
// again into the new table (found through the temporary indexes) takes it back, so the
// migration commits only if every reference finds its boleto again.
constexpr std::string_view k_v13_boleto_indexes = R"sql(
PRAGMA defer_foreign_keys = ON;
CREATE TABLE boletos_v12_rows AS SELECT * FROM boletos;
CREATE INDEX payments_by_boleto_v13 ON payments(boleto);
CREATE INDEX bank_requests_by_boleto_v13 ON bank_requests(boleto);
DROP TABLE boletos;
CREATE TABLE boletos (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL UNIQUE REFERENCES invoices(id),  -- one boleto per invoice, ever
    account TEXT NOT NULL,
    bank TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    nosso_numero TEXT NOT NULL,
    nosso_numero_dv TEXT NOT NULL,
    nosso_numero_display TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    fine_percent INTEGER NOT NULL,
    interest_per_day INTEGER NOT NULL,
    barcode TEXT NOT NULL CHECK (length(barcode) = 44),
    linha_digitavel TEXT NOT NULL CHECK (length(linha_digitavel) = 47),
    pix TEXT,
    pdf TEXT,
    remessa INTEGER REFERENCES remessas(id),
    status TEXT NOT NULL DEFAULT 'issued',
    run INTEGER NOT NULL,
    nosso_key TEXT NOT NULL DEFAULT ''     -- the nosso número without leading zeros
);
INSERT INTO boletos (id, invoice, account, bank, sequence, nosso_numero, nosso_numero_dv, nosso_numero_display,
                     issue_date, due_date, amount, fine_percent, interest_per_day, barcode, linha_digitavel, pix,
                     pdf, remessa, status, run, nosso_key)
SELECT id, invoice, account, bank, sequence, nosso_numero, nosso_numero_dv, nosso_numero_display, issue_date,
       due_date, amount, fine_percent, interest_per_day, barcode, linha_digitavel, pix, pdf, remessa, status, run,
       nosso_key
FROM boletos_v12_rows ORDER BY id;
DROP TABLE boletos_v12_rows;
DROP INDEX payments_by_boleto_v13;
DROP INDEX bank_requests_by_boleto_v13;
PRAGMA defer_foreign_keys = OFF;
-- A nosso número is never reused in an account (at its bank).
CREATE UNIQUE INDEX boletos_by_nosso_key ON boletos(bank, nosso_key, account, nosso_numero);
CREATE INDEX boletos_pending_remessa ON boletos(account) WHERE remessa IS NULL;
CREATE INDEX boletos_pending_pdf ON boletos(id) WHERE pdf IS NULL;
)sql";

// v14 (checks without IN lists): SQLite evaluates a CHECK (x IN (a, b, c, ...)) of three or
// more values by building a temporary b-tree of the list for every row written (a page
// cache of its own, 16 KiB pages cleared): a third of the cost of inserting an invoice in
// `cycle`. The same constraint as a chain of equalities costs a few comparisons. SQLite
// cannot alter a CHECK in place; its documented procedure for constraints that do not
// change what is stored is to edit the table's SQL in sqlite_master (every row already
// satisfies the equivalent constraint). The scratch table after it changes the schema
// version, so connections opened before re-read the schema. The partial indexes' IN lists
// stay: queries are matched to those indexes by the same expression.
constexpr std::string_view k_v14_checks_without_in_lists = R"sql(
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'status IN (''draft'', ''issued'', ''paid'', ''partly-paid'', ''cancelled'')', 'status = ''draft'' OR status = ''issued'' OR status = ''paid'' OR status = ''partly-paid'' OR status = ''cancelled''')
    WHERE type = 'table' AND name = 'invoices';
UPDATE sqlite_master SET sql = replace(sql, 'status IN (''applied'', ''confirmed'', ''written-off'', ''unmatched'', ''ambiguous'', ''rejected'')', 'status = ''applied'' OR status = ''confirmed'' OR status = ''written-off'' OR status = ''unmatched'' OR status = ''ambiguous'' OR status = ''rejected''')
    WHERE type = 'table' AND name = 'payments';
UPDATE sqlite_master SET sql = replace(sql, 'status IN (''pending'', ''sent'', ''skipped'', ''failed'', ''unknown'')', 'status = ''pending'' OR status = ''sent'' OR status = ''skipped'' OR status = ''failed'' OR status = ''unknown''')
    WHERE type = 'table' AND name = 'reminders';
UPDATE sqlite_master SET sql = replace(sql, 'status IN (''queued'', ''pending'', ''sent'', ''failed'', ''unknown'', ''dropped'')', 'status = ''queued'' OR status = ''pending'' OR status = ''sent'' OR status = ''failed'' OR status = ''unknown'' OR status = ''dropped''')
    WHERE type = 'table' AND name = 'deliveries';
UPDATE sqlite_master SET sql = replace(sql, 'status IN (''signed'', ''registered'', ''rejected'')', 'status = ''signed'' OR status = ''registered'' OR status = ''rejected''')
    WHERE type = 'table' AND name = 'nfse_events';
UPDATE sqlite_master SET sql = replace(sql, 'status IN (''pending'', ''registered'', ''rejected'', ''mismatch'')', 'status = ''pending'' OR status = ''registered'' OR status = ''rejected'' OR status = ''mismatch''')
    WHERE type = 'table' AND name = 'boleto_registrations';
UPDATE sqlite_master SET sql = replace(sql, 'status IN (''pending'', ''issued'', ''rejected'', ''mismatch'')', 'status = ''pending'' OR status = ''issued'' OR status = ''rejected'' OR status = ''mismatch''')
    WHERE type = 'table' AND name = 'bank_requests';
UPDATE sqlite_master SET sql = replace(sql, 'stage IN (''created'', ''sent'', ''due-date-set'', ''reminded'', ''overdue'',
                                         ''reminded-again'', ''in-collection'')', 'stage = ''created'' OR stage = ''sent'' OR stage = ''due-date-set'' OR stage = ''reminded'' OR stage = ''overdue'' OR stage = ''reminded-again'' OR stage = ''in-collection''')
    WHERE type = 'table' AND name = 'collection_stages';
UPDATE sqlite_master SET sql = replace(sql, 'status IN (''pending'', ''signed'', ''authorized'', ''rejected'', ''cancelled'',
                                           ''authorized-after-cancel'')', 'status = ''pending'' OR status = ''signed'' OR status = ''authorized'' OR status = ''rejected'' OR status = ''cancelled'' OR status = ''authorized-after-cancel''')
    WHERE type = 'table' AND name = 'nfse';
PRAGMA writable_schema = OFF;
CREATE TABLE schema_changed (x);
DROP TABLE schema_changed;
)sql";

// v15 (lines inside their invoice): an invoice's lines are written with it, as one JSON
// array in `invoices.lines` ([service, description, quantity, unit_price, amount, iss_rate,
// iss, charge] each, in position order), instead of a row each in a table of their own. The
// lines are only ever written with their invoice and read with it; as rows they cost each
// invoice two more b-tree inserts, two foreign-key probes and two statements, a third of
// what `cycle` spends in SQLite. `invoice_lines` stays as a view with the same columns, for
// anyone who queries the ledger. A charge is still billed once, ever: the lines that bill
// one are also keyed by the charge in `billed_charges`.
// There is no CHECK (json_valid(lines)): it parses the text again on every insert, a tenth
// of cycle's time, for text that only insert_invoice writes (json_each refuses it when read,
// should it ever be broken).
// The RESET first makes this connection read the schema again: after v14's edit of
// sqlite_master in the same transaction it still knows the old CREATE TABLE texts, and ADD
// COLUMN splices the new column into the stored text at an offset it took from the old one.
constexpr std::string_view k_v15_lines_in_invoice = R"sql(
PRAGMA writable_schema = RESET;
ALTER TABLE invoices ADD COLUMN lines TEXT NOT NULL DEFAULT '[]';
UPDATE invoices SET lines = (
    SELECT json_group_array(json_array(service, description, quantity, unit_price, amount, iss_rate, iss, charge))
    FROM (SELECT * FROM invoice_lines l WHERE l.invoice = invoices.id ORDER BY l.position));
-- A charge is billed once, ever: by one line of one invoice.
CREATE TABLE billed_charges (
    charge TEXT PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(id),
    position INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO billed_charges (charge, invoice, position)
    SELECT charge, invoice, position FROM invoice_lines WHERE charge IS NOT NULL ORDER BY charge;
DROP TABLE invoice_lines;
CREATE VIEW invoice_lines (invoice, position, service, description, quantity, unit_price, amount, iss_rate, iss,
                           charge) AS
    SELECT i.id, l.key + 1, l.value ->> 0, l.value ->> 1, l.value ->> 2, l.value ->> 3, l.value ->> 4,
           l.value ->> 5, l.value ->> 6, l.value ->> 7
    FROM invoices i, json_each(i.lines) l;
)sql";

// v16 (pedido de baixa through the remessa): a cancelled invoice's boleto that a remessa
// registered is written off by its account's next remessa, its title again with movement 02.
// The cancel that marks the boleto 'write-off' adds its row here, waiting (remessa NULL);
// the issue-boleto run that puts the request into a remessa names it, once per boleto, ever,
// and a remessa rewritten after a killed run writes its baixas again from here. The boleto
// stays 'write-off' until a retorno reports the baixa (reconcile: 'written-off'). A table of
// its own, not a partial index on boletos: every boleto's insert would test its condition
// (+1.2 % of issue-boleto's instructions, measured). Boletos cancelled before v16 wait too,
// unless a retorno had rejected their entry (cancel then turned 'rejected' into 'write-off';
// the event says so).
constexpr std::string_view k_v16_remessa_write_offs = R"sql(
CREATE TABLE remessa_write_offs (
    boleto INTEGER PRIMARY KEY REFERENCES boletos(id),
    remessa INTEGER REFERENCES remessas(id),  -- NULL: waiting for the account's next remessa
    run INTEGER                               -- the run that put it there
);
CREATE INDEX remessa_write_offs_by_remessa ON remessa_write_offs(remessa);
INSERT INTO remessa_write_offs (boleto)
    SELECT b.id FROM boletos b WHERE b.status = 'write-off' AND b.remessa IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM events e WHERE e.entity = 'boleto' AND e.entity_id = CAST(b.id AS TEXT)
                    AND e.action = 'rejected')
    ORDER BY b.id;
)sql";

constexpr std::array<Migration, 16> k_migrations{
    Migration{k_v1},
    Migration{k_v2},
    Migration{k_v3},
    Migration{k_v4},
    Migration{k_v5},
    Migration{k_v6},
    Migration{k_v7},
    Migration{k_v8},
    Migration{k_v9},
    Migration{k_v10},
    Migration{k_v11_payment_identity},
    Migration{k_v12_bank_requests},
    Migration{k_v13_boleto_indexes},
    Migration{k_v14_checks_without_in_lists},
    Migration{k_v15_lines_in_invoice, "SELECT count(*) FROM pragma_table_info('invoices') WHERE name = 'lines'"},
    Migration{k_v16_remessa_write_offs, "SELECT count(*) FROM sqlite_master WHERE name = 'remessa_write_offs'"},
};

}  // namespace

std::span<const Migration> migrations()
{
    return k_migrations;
}

}  // namespace billrun::ledger

#pragma once
// E-mail from the CLI layer: the sender the config asks for (SMTP with credentials from the
// named environment variables, or the outbox), and auto-send after issue-boleto and
// emit-nfse.
#include <memory>

#include <billrun/dunning/remind.hpp>
#include <billrun/mail/mail.hpp>

#include "app.hpp"

namespace billrun::app {

struct MailOut {
    std::unique_ptr<mail::Sender> sender;
    dunning::Delivery delivery;  // points at `sender`; attaches each boleto's own PDF
};

// Errors: ErrorCode::config when mail.password_env names a variable that is not set.
Result<MailOut> mail_out(Stage& stage);

// E-mails the documents waiting for it (SPEC §6 auto-send), holding the ledger's "deliver"
// lock; nothing when none wait or on --dry-run. The exit status it adds: 0, 1 (some not
// sent, tried again by the next run) or 69 (the mail server failed).
Result<int> send_queued_documents(AppContext& ctx, Stage& stage);

// The exit status of a run that did two things: a remote failure (69) outranks records that
// failed (1), which outrank success (0).
int worse_exit(int a, int b);

}  // namespace billrun::app

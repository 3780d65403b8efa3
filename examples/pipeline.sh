#!/bin/bash
# Bills what is due and carries exactly this run's invoices through the NFS-e and the
# boletos, each stage reading the documents the one before printed (billrun(1)):
#
#     billrun cycle | billrun emit-nfse - | billrun issue-boleto -
#
# Run it in the company folder (billrun.yaml, billrun.db); its arguments go to every stage
# (./pipeline.sh --date 2026-11-23). The A1 certificate's password comes from the
# environment variable that nfse.password_env names (BILLRUN_CERT_PASSWORD), never from here.
# Each stage's documents are kept in runs/: the invoices, the NFS-e and the boletos.
# The exit status is that of the last stage that did not exit 0 (pipefail): 0 when all
# went well, 1 when some invoice was set aside (each reported on stderr), see billrun(1).
set -u -o pipefail
mkdir -p runs
stamp=$(date +%Y%m%d-%H%M%S)
billrun cycle "$@" | tee "runs/invoices-$stamp.yaml" |
    billrun emit-nfse - "$@" | tee "runs/nfse-$stamp.yaml" |
    billrun issue-boleto - "$@" > "runs/boletos-$stamp.yaml"

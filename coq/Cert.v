(** A certificate as Coq data (docs/certificate.md §3, §4, §9): exactly the content of the JSON file after
    parsing, over [Z]. Written by [python/mechproof/coqgen.py]; checked by [Check.check].

    Not represented: [format] and the claims' [rule] names (fixed by the parser), [strategy.params] ([{}]
    for the cubic strategies), [model.weights] and [model.sha256] (Coq has no SHA-256: the generated file
    states the hashes, and [tests/test_coqgen.py] links its data to the JSON files), and the version-1
    [cubic-case] encoding of the cases (the Coq checker reads version 2 only). *)
From Coq Require Import ZArith List.
From MechProof Require Import Model.

(** [strategy.name]. The Coq checker rejects [subcubic] (it is checked in Python and Lean). *)
Inductive strategy := Cubic | CubicResidual | Subcubic.

(** The matrix an [exp-enclosure] claim encloses (its field [of]). *)
Inductive matrix_name := EQKE | EQKP.

(** [inv_sqrt_d_head] (§4.1): lo·2^exp ≤ 1/√d_head ≤ hi·2^exp. *)
Record inv_sqrt_claim := { is_lo : Z; is_hi : Z; is_exp : Z }.

(** [exp_eqke], [exp_eqkp] (§4.2): row-major arrays of the enclosed matrix's shape. *)
Record exp_claim := {
  ec_of : matrix_name;
  ec_exp : list (list Z);
  ec_lo : list (list Z);
  ec_hi : list (list Z) }.

(** A [cubic-prefix] case [[q, m, c, kp, kn]] (§4.4). *)
Record case_entry := mk_case { ce_q : Z; ce_m : Z; ce_c : Z; ce_kp : Z; ce_kn : Z }.

(** [wrong] (§9): delta-coded input indices and one witness logit per input. *)
Record wrong_claim := { wr_inputs : list Z; wr_witness : list Z }.

(** [bound] (§3): [upper] is present exactly when [wrong] is. *)
Record bound := { correct : Z; total : Z; upper : option Z }.

Record cert := {
  version : Z;
  cert_config : config;
  strategy_name : strategy;
  inv_sqrt_d_head : inv_sqrt_claim;
  exp_eqke : exp_claim;
  exp_eqkp : exp_claim;
  cases : list case_entry;
  (** [residual] (§9): delta-coded input indices, when claimed *)
  residual : option (list Z);
  wrong : option wrong_claim;
  cert_bound : bound }.

Definition cert_correct (C : cert) : Z := correct (cert_bound C).
Definition cert_upper (C : cert) : option Z := upper (cert_bound C).

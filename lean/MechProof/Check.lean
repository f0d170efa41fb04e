import MechProof.Failures
import MechProof.Parse
import MechProof.Matrices
import MechProof.Inputs
import MechProof.Cubic
import MechProof.Subcubic
import MechProof.Induction.Check

/-!
# Checking a certificate against a weights file

Mirrors `check` in `python/mechproof/checker/__init__.py`, with one difference: this function is
given the weights file's text, so it cannot and does not check that it is the file the certificate
names, nor recompute `payload_sha256` (core Lean has no SHA-256). It does compare the certificate's
`model.sha256` with the `payload_sha256` the weights file declares. The certificate modules under
`lean/Certificates/` pass exactly the file named by `model.weights` (see TRUST.md).

The statements the certificate modules prove (all three run the checker once):
* `certifies c w correct total = true`: every claim holds and the lower bound is `correct/total`
  (docs §3: at least `correct` of the `total` inputs are classified correctly; `total = V^n` for
  Max-of-K, the number of inputs of docs §11.1 for the induction task);
* `certifiesUpper c w upper total = true`: every claim holds and the certificate certifies the upper
  bound `upper/total` (docs §3, §9: `bound.upper`, present with the `wrong` claim; at most `upper`
  inputs are classified correctly);
* `certifiesBounds c w correct upper total = true`: both at once. By definition it is `true` exactly
  when `certifies c w correct total` and `certifiesUpper c w upper total` are.
-/

set_option autoImplicit false

namespace MechProof

/-- What a certificate that passes establishes (Python: `CheckResult` without the operation counts). -/
structure CheckResult where
  correct : Nat
  total : Nat
  /-- the certified upper bound on the correct count, when the certificate claims one (docs §9) -/
  upper : Option Nat
  deriving Inhabited

/-- The claims of the certificate's strategy; returns (inputs proven right, inputs proven wrong when
`wrong` is claimed). -/
def checkStrategy (cert : Certificate) (w : ExactWeights) : Except CheckError (Nat × Option Nat) :=
  match cert.claims with
  | StrategyClaims.cubic claims => checkCubic claims w
  | StrategyClaims.subcubic params claims => do
    -- never forms EQKE or EUPU unless the variant says so
    let variant : String := params.eupu ++ ";" ++ params.attention ++ ";" ++ params.qk
    require (params.variant == variant) "strategy.params" "variant must equal eupu;attention;qk"
      params.variant variant
    checkSubcubic params claims w
  | StrategyClaims.induction depth claims => checkInduction depth claims w

/-- `bound.upper` for messages (`None` when absent, as Python prints it). -/
def showUpper (u : Option Int) : String :=
  match u with
  | some x => toString x
  | none => "None"

/-- Verify every claim of the certificate `certJson` against the weights `weightsJson`; returns the
certified bounds, or the first failing claim / the malformed field. -/
def checkCertificateE (certJson weightsJson : String) : Except CheckError CheckResult := do
  let cert ← parseCertificate certJson
  let w ← parseWeights weightsJson
  require (w.payloadSha256 == cert.sha256) "model.sha256" "weights payload hash differs"
    w.payloadSha256 cert.sha256
  require (w.task == cert.task) "task" "the weights are of another task" cert.task w.task
  require (w.cfg == cert.cfg) "config" "certificate config differs from the weights'"
    cert.cfg.str w.cfg.str
  let cfg := cert.cfg
  let counts ← checkStrategy cert w
  let correct : Nat := counts.1
  let maxk : Bool := cert.task == "maxk"
  let total : Nat := if maxk then cfg.dVocab ^ cfg.nCtx else nInputs cfg.dVocab cfg.nCtx
  let what : String := if maxk then "total must be d_vocab^n_ctx" else "total must be the number of inputs of the task"
  require (cert.boundTotal == Int.ofNat total) "bound" what (toString cert.boundTotal) (toString total)
  require (cert.boundCorrect == Int.ofNat correct) "bound" "claimed count differs from the covered count"
    (toString cert.boundCorrect) (toString correct)
  if counts.2.isNone then
    return { correct := correct, total := total, upper := none }
  let upper : Nat := total - counts.2.getD 0
  require (cert.boundUpper == some (Int.ofNat upper)) "bound"
    "claimed upper bound differs from total − proven-wrong inputs" (showUpper cert.boundUpper) (toString upper)
  return { correct := correct, total := total, upper := some upper }

/-- The certified bounds if every claim holds, else the message `mechproof check` would print:
`FAIL <claim id>: <what> (<a> vs <b>)`, or `certificate|weights: <field>: <what was expected>`. -/
def checkCertificate (certJson weightsJson : String) : Except String CheckResult :=
  match checkCertificateE certJson weightsJson with
  | Except.ok result => Except.ok result
  | Except.error err => Except.error (err.render "certificate" "weights")

/-- The lower bound: every claim holds and the certificate proves `correct` of the `total` inputs right. -/
def certifies (certJson weightsJson : String) (correct total : Nat) : Bool :=
  match checkCertificateE certJson weightsJson with
  | Except.ok result => result.correct == correct && result.total == total
  | Except.error _ => false

/-- The upper bound: every claim holds and the certificate proves all but `upper` of the `total` inputs
wrong (docs §9), so at most `upper` are right. -/
def certifiesUpper (certJson weightsJson : String) (upper total : Nat) : Bool :=
  match checkCertificateE certJson weightsJson with
  | Except.ok result => result.upper == some upper && result.total == total
  | Except.error _ => false

/-- Both bounds, from one run of the checker: `correct/total ≤ accuracy ≤ upper/total`. -/
def certifiesBounds (certJson weightsJson : String) (correct upper total : Nat) : Bool :=
  match checkCertificateE certJson weightsJson with
  | Except.ok result =>
    result.correct == correct && result.upper == some upper && result.total == total
  | Except.error _ => false

/-- The weights file the certificate names (`model.weights`, relative to the certificate's
directory), after validating the whole certificate. -/
def certWeightsName (certJson : String) : Except CheckError String := do
  let cert ← parseCertificate certJson
  return cert.weightsRel

end MechProof

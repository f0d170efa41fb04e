import MechProof.Failures
import MechProof.Parse
import MechProof.Matrices
import MechProof.Cubic
import MechProof.Subcubic

/-!
# Checking a certificate against a weights file

Mirrors `check` in `python/mechproof/checker/__init__.py`, with one difference: this function is
given the weights file's text, so it cannot and does not check that it is the file the certificate
names, nor recompute `payload_sha256` (core Lean has no SHA-256). It does compare the certificate's
`model.sha256` with the `payload_sha256` the weights file declares. The certificate modules under
`lean/Certificates/` pass exactly the file named by `model.weights` (see TRUST.md).
-/

set_option autoImplicit false

namespace MechProof

/-- `{}` if there are no parameters. -/
def paramsText (params : Option Lean.Json) : String :=
  match params with
  | some p => p.compress
  | none => "{}"

/-- The claims of the certificate's strategy; returns the number of inputs they cover. -/
def checkStrategy (cert : Certificate) (w : ExactWeights) : Except CheckError Nat :=
  match cert.claims with
  | StrategyClaims.cubic claims => do
    require (paramsText cert.params == "{}") "strategy.params" "cubic takes no parameters"
      (paramsText cert.params) "{}"
    checkCubic claims (exactMatrices w) cert.cfg.dHead cert.cfg.nCtx
  | StrategyClaims.subcubic params claims => do
    -- never forms EQKE or EUPU unless the variant says so
    let variant : String := params.eupu ++ ";" ++ params.attention ++ ";" ++ params.qk
    require (params.variant == variant) "strategy.params" "variant must equal eupu;attention;qk"
      params.variant variant
    checkSubcubic params claims w

/-- Verify every claim of the certificate `certJson` against the weights `weightsJson`; returns
`(correct, total)`, or the first failing claim / the malformed field. -/
def checkCertificateE (certJson weightsJson : String) : Except CheckError (Nat × Nat) := do
  let cert ← parseCertificate certJson
  let w ← parseWeights weightsJson
  require (w.payloadSha256 == cert.sha256) "model.sha256" "weights payload hash differs"
    w.payloadSha256 cert.sha256
  require (w.cfg == cert.cfg) "config" "certificate config differs from the weights'"
    cert.cfg.str w.cfg.str
  let cfg := cert.cfg
  let correct ← checkStrategy cert w
  let total : Nat := cfg.dVocab ^ cfg.nCtx
  require (cert.boundTotal == Int.ofNat total) "bound" "total must be d_vocab^n_ctx"
    (toString cert.boundTotal) (toString total)
  require (cert.boundCorrect == Int.ofNat correct) "bound" "claimed count differs from the covered count"
    (toString cert.boundCorrect) (toString correct)
  return (correct, total)

/-- `(correct, total)` if every claim holds, else the message `mechproof check` would print:
`FAIL <claim id>: <what> (<a> vs <b>)`, or `certificate|weights: <field>: <what was expected>`. -/
def checkCertificate (certJson weightsJson : String) : Except String (Nat × Nat) :=
  match checkCertificateE certJson weightsJson with
  | Except.ok result => Except.ok result
  | Except.error err => Except.error (err.render "certificate" "weights")

/-- The statement the certificate modules prove: every claim holds and the bound is
`correct/total`. -/
def certifies (certJson weightsJson : String) (correct total : Nat) : Bool :=
  match checkCertificateE certJson weightsJson with
  | Except.ok result => result.1 == correct && result.2 == total
  | Except.error _ => false

/-- The weights file the certificate names (`model.weights`, relative to the certificate's
directory), after validating the whole certificate. -/
def certWeightsName (certJson : String) : Except CheckError String := do
  let cert ← parseCertificate certJson
  return cert.weightsRel

end MechProof

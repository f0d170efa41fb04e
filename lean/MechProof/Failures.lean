/-!
# How the checker reports the first claim that does not hold

Mirrors `python/mechproof/checker/failures.py` (`ClaimFailure`, `require`) and, for malformed
input, `python/mechproof/errors.py` (`InputError`). docs/certificate.md §5: a false claim prints
`FAIL <claim id>: <what> (<value a> vs <value b>)` and exits 1; malformed input prints
`<file>: <field>: <what was expected>` and exits 2.
-/

set_option autoImplicit false

namespace MechProof

/-- Which of the two input files a malformed-input error is about. -/
inductive InputFile where
  | certificate
  | weights
  deriving Inhabited, BEq

/-- Why a certificate was rejected. -/
inductive CheckError where
  /-- A claim is false: its stable id, what was compared, and the two values (Python:
  `ClaimFailure`; exit code 1). -/
  | claim (cid what a b : String)
  /-- Malformed input: the file, the field and what was expected (Python: `InputError`; exit
  code 2). -/
  | input (file : InputFile) (fld what : String)
  deriving Inhabited

/-- The message `mechproof check` prints, given the names of the certificate and weights files. -/
def CheckError.render (err : CheckError) (certName weightsName : String) : String :=
  match err with
  | CheckError.claim cid what a b => s!"FAIL {cid}: {what} ({a} vs {b})"
  | CheckError.input InputFile.certificate fld what => s!"{certName}: {fld}: {what}"
  | CheckError.input InputFile.weights fld what => s!"{weightsName}: {fld}: {what}"

/-- docs §5: 1 for a false claim, 2 for malformed input. -/
def CheckError.exitCode (err : CheckError) : UInt32 :=
  match err with
  | CheckError.claim _ _ _ _ => 1
  | CheckError.input _ _ _ => 2

/-- Fail with claim `cid` unless `ok`. Python: `require(ok, claim_id, what, a, b)`. -/
def require (ok : Bool) (cid what a b : String) : Except CheckError Unit :=
  if ok then Except.ok () else Except.error (CheckError.claim cid what a b)

/-- A malformed-input error about `file`, at field `fld`. -/
def inputError {α : Type} (file : InputFile) (fld what : String) : Except CheckError α :=
  Except.error (CheckError.input file fld what)

end MechProof

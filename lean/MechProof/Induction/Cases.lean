import MechProof.Failures
import MechProof.Induction.Tables

/-!
# The case rule of the induction task (docs/certificate.md §11.5)

Mirrors `python/mechproof/tasks/induction/checker/cases.py`. A case fixes the query `q`, the match position
`i`, the answer `a` and possibly the tokens at some more positions; the other positions before `n−1` are free.
-/

set_option autoImplicit false

namespace MechProof

/-- Python: `Case` (`known` by position: the token a case fixes there, if any). -/
structure IndCaseSpec where
  q : Nat
  i : Nat
  a : Nat
  /-- position → token, for `i ↦ q`, `i+1 ↦ a`, `n−1 ↦ q` and the prefix's positions (size `n`) -/
  known : Array (Option Nat)
  /-- the positions `< n−1` not in `known` -/
  free : Array Nat
  /-- the tokens a free position may hold (none of the known ones) -/
  tokens : Array Nat
  deriving Inhabited

/-- Every λ-test of the case with the claimed bounds `lam`, then the logit test (docs §11.5.3–11.5.6).
The Lean mirror of the rule is not written yet: every case is refused (so no certificate with a case is
accepted), as malformed input naming `claims.cases`. Python: `verify(case_parts(rule, case), lam, cid)`. -/
def verifyCase (_t : IndTables) (_c : IndCaseSpec) (_lam : Array Int) (cid : String) : Except CheckError Unit :=
  Except.error (CheckError.input InputFile.certificate "claims.cases"
    s!"{cid}: the Lean checker does not implement the case rule (docs §11.5) yet")

end MechProof

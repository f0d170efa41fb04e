import MechProof.Parse
import MechProof.Induction.Tables
import MechProof.Induction.CaseTables
import MechProof.Induction.Cases
import MechProof.Induction.Inputs
import MechProof.Induction.Groups

/-!
# The induction task's checker entry point (docs/certificate.md §11)

Mirrors `check_induction` in `python/mechproof/tasks/induction/checker/__init__.py`: the depth's sign, the
exact tables, the case rule's fixed-point tables (whose limits may refuse the model), every group and case
(§11.5), then `residual` and `wrong` (§11.6).
-/

set_option autoImplicit false

namespace MechProof

/-- Verify every claim; returns (inputs proven right, inputs proven wrong or none). Python:
`check_induction`. -/
def checkInduction (depth : Int) (claims : InductionClaims) (w : ExactWeights) :
    Except CheckError (Nat × Option Nat) := do
  if decide (depth < 0) then
    throw (CheckError.input InputFile.certificate "strategy.params.depth"
      s!"expected a non-negative integer, got {depth}")
  let t : IndTables := mkIndTables w
  let ct ← mkIndCaseTables t
  let (covered, groups) ← checkGroups claims.entries (mkCaseRule ct) depth
  let r ← checkIndInputClaims claims.residual claims.wrong (mkIndInputRule t) groups.covers
  return (covered + r.1, r.2)

end MechProof

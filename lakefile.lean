import Lake
open Lake DSL

/-
The Lean checker of mechproof certificates (see TRUST.md).

* `lake build` builds the checker library `MechProof`, the executable `mechcheck`, and every
  module under `lean/Certificates/`. Each of those (written by `python/mechproof/leangen.py`) proves
  with `native_decide` that one committed certificate holds for the weights file it names, so the
  build fails if any certificate is false.
* `lake exe mechcheck certificates/seed42/cubic.json` checks certificate files at run time
  (natively, with the first failing claim named).

`precompileModules` is deliberately left off (see TRUST.md): the certificate proofs then run the
checker in Lean's interpreter, which works on every platform Lean supports.
-/
package mechproof where
  srcDir := "lean"
  leanOptions := #[
    ⟨`autoImplicit, false⟩,
    ⟨`maxHeartbeats, .ofNat 0⟩
  ]

/-- The checker (a mirror of `python/mechproof/checker/`). -/
@[default_target]
lean_lib MechProof where
  roots := #[`MechProof]

/-- One module per committed certificate; elaborating it checks the certificate. -/
@[default_target]
lean_lib Certificates where
  globs := #[.submodules `Certificates]

/-- `lake exe mechcheck CERT.json ...`: checks certificate files at run time. -/
@[default_target]
lean_exe mechcheck where
  root := `Main

import MechProof

/-!
# `mechcheck`: check certificate files at run time

`lake exe mechcheck certificates/seed42/cubic.json [...]` reads each certificate, finds the weights
file it names (`model.weights`, relative to the certificate's directory) and runs
`MechProof.checkCertificateE` natively. Output and exit codes follow `mechproof check`
(docs/certificate.md §5): `<cert>: OK <correct>/<total>` (followed by ` ≤ accuracy ≤ <upper>/<total>`
when the certificate certifies an upper bound) and 0; `<cert>: FAIL <claim id>: <what>
(<a> vs <b>)` and 1; `error: <file>: <field>: <what was expected>` and 2 (the largest code over all
files, 2 winning).
-/

set_option autoImplicit false

open MechProof

/-- The text of a file, or why it could not be read (missing, not UTF-8, ...). -/
def readText (path : System.FilePath) : IO (Except String String) := do
  try
    let text ← IO.FS.readFile path
    return Except.ok text
  catch e =>
    return Except.error (toString e)

/-- ` ≤ accuracy ≤ <upper>/<total>` when the certificate certifies an upper bound (docs §5), else empty. -/
def upperText (result : CheckResult) : String :=
  match result.upper with
  | some u => s!" ≤ accuracy ≤ {u}/{result.total}"
  | none => ""

/-- Check the certificate against the weights text; print the result; return the exit code. -/
def report (certArg weightsName certText weightsText : String) : IO UInt32 := do
  match checkCertificateE certText weightsText with
  | Except.ok result =>
    IO.println s!"{certArg}: OK {result.correct}/{result.total}{upperText result}"
    return 0
  | Except.error err =>
    if err.exitCode == 1 then
      IO.eprintln s!"{certArg}: {err.render certArg weightsName}"
    else
      IO.eprintln s!"error: {err.render certArg weightsName}"
    return err.exitCode

/-- Check one certificate file given on the command line; returns its exit code. -/
def checkFile (certArg : String) : IO UInt32 := do
  let certPath : System.FilePath := System.FilePath.mk certArg
  if !(← certPath.pathExists) then
    IO.eprintln s!"error: {certArg}: no such certificate file"
    return 2
  match (← readText certPath) with
  | Except.error msg =>
    IO.eprintln s!"error: {certArg}: {msg}"
    return 2
  | Except.ok certText =>
    match certWeightsName certText with
    | Except.error err =>
      IO.eprintln s!"error: {err.render certArg certArg}"
      return 2
    | Except.ok rel =>
      let dir : System.FilePath := certPath.parent.getD (System.FilePath.mk ".")
      let weightsPath : System.FilePath := dir / rel
      if !(← weightsPath.pathExists) then
        IO.eprintln s!"error: {certArg}: model.weights: weights file {weightsPath} not found"
        return 2
      match (← readText weightsPath) with
      | Except.error msg =>
        IO.eprintln s!"error: {weightsPath}: {msg}"
        return 2
      | Except.ok weightsText =>
        report certArg weightsPath.toString certText weightsText

def main (args : List String) : IO UInt32 := do
  if args.isEmpty then
    IO.eprintln "usage: lake exe mechcheck CERTIFICATE.json [CERTIFICATE.json ...]"
    return 2
  let mut status : UInt32 := 0
  for arg in args do
    let code ← checkFile arg
    if code == 2 then
      status := 2
    else if status < code then
      status := code
  return status

import Lean.Data.Json
import MechProof.Arith
import MechProof.Failures

/-!
# Reading the weights file and the certificate (docs/certificate.md §1 and §3–4)

Mirrors the parsers the Python checker uses: `python/mechproof/weights.py` (`parse`,
`_parse_tensor`, `_fits_float32`), `python/mechproof/config.py` (`ModelConfig`) and
`python/mechproof/certificate.py` (`load_certificate`, `CubicClaims`). JSON is read with core's
`Lean.Json.parse`, which keeps numbers exact (an integer mantissa and a decimal exponent); only
JSON integers are accepted where the format has integers, so no value is ever rounded.

Differences from the Python side, none of which can make a false claim pass:
* unknown keys are ignored (Python rejects them) — they carry no claims;
* `payload_sha256` is read but not recomputed: core Lean has no SHA-256. The certificate modules
  under `lean/Certificates/` embed the exact weights file the certificate names (see TRUST.md).
-/

set_option autoImplicit false

namespace MechProof

/-! ## JSON helpers -/

/-- `path.key`, or `key` at the top level. -/
def joinField (path key : String) : String :=
  if path == "" then key else path ++ "." ++ key

def isObject (j : Lean.Json) : Bool :=
  match j with
  | Lean.Json.obj _ => true
  | _ => false

/-- The value under `key`, if `j` is an object that has it. -/
def optField (j : Lean.Json) (key : String) : Option Lean.Json :=
  match j.getObjVal? key with
  | Except.ok v => some v
  | Except.error _ => none

def optStr (j : Lean.Json) (key : String) : Option String :=
  match optField j key with
  | some (Lean.Json.str s) => some s
  | _ => none

def jsonInt (j : Lean.Json) : Option Int :=
  match j.getInt? with
  | Except.ok i => some i
  | Except.error _ => none

def optInt (j : Lean.Json) (key : String) : Option Int :=
  match optField j key with
  | some v => jsonInt v
  | none => none

/-- A JSON value for messages (Python prints `None` for a missing one). -/
def showJson (j : Option Lean.Json) : String :=
  match j with
  | some v => v.compress
  | none => "None"

def parseJson (file : InputFile) (text : String) : Except CheckError Lean.Json :=
  match Lean.Json.parse text with
  | Except.ok j => Except.ok j
  | Except.error e => inputError file "(JSON)" s!"not valid JSON ({e}); truncated?"

/-- The field `key` of the object `j` found at `path`. -/
def getField (file : InputFile) (j : Lean.Json) (path key : String) : Except CheckError Lean.Json :=
  if !isObject j then
    inputError file (if path == "" then "(top level)" else path) "expected a JSON object"
  else
    match j.getObjVal? key with
    | Except.ok v => Except.ok v
    | Except.error _ => inputError file (joinField path key) "field required"

def asInt (file : InputFile) (fld : String) (j : Lean.Json) : Except CheckError Int :=
  match j.getInt? with
  | Except.ok i => Except.ok i
  | Except.error _ => inputError file fld s!"expected an integer, got {j.compress}"

def asStr (file : InputFile) (fld : String) (j : Lean.Json) : Except CheckError String :=
  match j.getStr? with
  | Except.ok s => Except.ok s
  | Except.error _ => inputError file fld s!"expected a string, got {j.compress}"

def asArr (file : InputFile) (fld : String) (j : Lean.Json) : Except CheckError (Array Lean.Json) :=
  match j.getArr? with
  | Except.ok a => Except.ok a
  | Except.error _ => inputError file fld "expected a list"

def asIntArray (file : InputFile) (fld : String) (j : Lean.Json) : Except CheckError (Array Int) := do
  let xs ← asArr file fld j
  let mut out : Array Int := #[]
  let mut i : Nat := 0
  for x in xs do
    let vOpt := jsonInt x
    if vOpt.isNone then
      inputError file s!"{fld}[{i}]" s!"expected an integer, got {x.compress}"
    out := out.push (vOpt.getD 0)
    i := i + 1
  return out

def asIntGrid (file : InputFile) (fld : String) (j : Lean.Json) :
    Except CheckError (Array (Array Int)) := do
  let rows ← asArr file fld j
  let mut out : Array (Array Int) := #[]
  let mut i : Nat := 0
  for r in rows do
    let v ← asIntArray file s!"{fld}[{i}]" r
    out := out.push v
    i := i + 1
  return out

def intField (file : InputFile) (j : Lean.Json) (path key : String) : Except CheckError Int := do
  let v ← getField file j path key
  asInt file (joinField path key) v

def strField (file : InputFile) (j : Lean.Json) (path key : String) : Except CheckError String := do
  let v ← getField file j path key
  asStr file (joinField path key) v

def gridField (file : InputFile) (j : Lean.Json) (path key : String) :
    Except CheckError (Array (Array Int)) := do
  let v ← getField file j path key
  asIntGrid file (joinField path key) v

/-- `[1, 2, 3]`, as Python prints a list of ints. -/
def intList (xs : Array Int) : String := Id.run do
  let mut s : String := "["
  let mut isFirst : Bool := true
  for x in xs do
    if !isFirst then
      s := s ++ ", "
    s := s ++ toString x
    isFirst := false
  return s ++ "]"

def natList (xs : Array Nat) : String := intList (xs.map Int.ofNat)

/-! ## The model configuration (python/mechproof/config.py `ModelConfig`) -/

structure ModelConfig where
  dVocab : Nat
  nCtx : Nat
  dModel : Nat
  dHead : Nat
  deriving Inhabited, BEq

def ModelConfig.str (c : ModelConfig) : String :=
  s!"d_vocab={c.dVocab} n_ctx={c.nCtx} d_model={c.dModel} d_head={c.dHead}"

/-- One field of `ModelConfig`: its default when absent, else an integer in `[lo, hi]`. -/
def configField (file : InputFile) (j : Lean.Json) (path key : String) (dflt lo hi : Nat) :
    Except CheckError Nat := do
  match optField j key with
  | none => return dflt
  | some v =>
    let i ← asInt file (joinField path key) v
    if decide (i < Int.ofNat lo) || decide (Int.ofNat hi < i) then
      inputError file (joinField path key) s!"expected an integer in [{lo}, {hi}], got {i}"
    else
      return i.toNat

def parseConfig (file : InputFile) (j : Lean.Json) (path : String) : Except CheckError ModelConfig := do
  if !isObject j then
    inputError file path "expected an object with d_vocab, n_ctx, d_model, d_head"
  else
    let dVocab ← configField file j path "d_vocab" 64 2 4096
    let nCtx ← configField file j path "n_ctx" 4 2 64
    let dModel ← configField file j path "d_model" 32 1 1024
    let dHead ← configField file j path "d_head" 32 1 1024
    return { dVocab := dVocab, nCtx := nCtx, dModel := dModel, dHead := dHead }

/-! ## The weights file (python/mechproof/weights.py) -/

/-- `value[i] = mantissas[i]·2^exponent`, row-major over `shape`. -/
structure ExactTensor where
  shape : Array Nat
  exponent : Int
  mantissas : Array Int
  deriving Inhabited

structure ExactWeights where
  cfg : ModelConfig
  /-- As written in the file; not recomputed here (see TRUST.md). -/
  payloadSha256 : String
  wE : ExactTensor
  wPos : ExactTensor
  wQ : ExactTensor
  wK : ExactTensor
  wV : ExactTensor
  wO : ExactTensor
  wU : ExactTensor
  deriving Inhabited

/-- Helper of `fitsFloat32`: strips the factors 2 of `x > 0`, counting them in `v` (at most
`fuel` of them; `fuel = x` is always enough). -/
def valuationAux : Nat → Nat → Nat → Nat × Nat
  | 0, x, v => (x, v)
  | fuel + 1, x, v => if x % 2 == 0 then valuationAux fuel (x / 2) (v + 1) else (x, v)

/-- Is `m·2^e` exactly a finite float32? (24-bit significand, exponents down to the subnormal
`2^-149`.) Python: `_fits_float32`. -/
def fitsFloat32 (m e : Int) : Bool :=
  if m == 0 then true
  else
    let (odd, v) := valuationAux m.natAbs m.natAbs 0
    let e1 : Int := e + Int.ofNat v
    let bits : Int := Int.ofNat (bitlen odd)
    decide (bits ≤ 24) && decide (-149 ≤ e1) && decide (e1 + bits ≤ 128)

def sameShape (got : Array Int) (want : Array Nat) : Bool := Id.run do
  if got.size != want.size then
    return false
  let mut ok : Bool := true
  let mut i : Nat := 0
  for g in got do
    if g != Int.ofNat (want[i]!) then
      ok := false
    i := i + 1
  return ok

def shapeSize (shape : Array Nat) : Nat := Id.run do
  let mut size : Nat := 1
  for s in shape do
    size := size * s
  return size

/-- The object of one tensor, if it is there. -/
def tensorObject (doc : Option Lean.Json) (path : String) : Except CheckError Lean.Json :=
  match doc with
  | some v =>
    if isObject v then Except.ok v
    else inputError InputFile.weights path "tensor missing or not an object"
  | none => inputError InputFile.weights path "tensor missing or not an object"

/-- One tensor of the weights file. Python: `_parse_tensor`. -/
def parseTensor (doc : Option Lean.Json) (shape : Array Nat) (path : String) :
    Except CheckError ExactTensor := do
  let file := InputFile.weights
  let j ← tensorObject doc path
  let dtypeText := showJson (optField j "dtype")
  if optStr j "dtype" != some "float32" then
    inputError file (path ++ ".dtype") s!"expected 'float32', got {dtypeText}"
  else
    let gotShape ← asIntArray file (path ++ ".shape") (← getField file j path "shape")
    if !sameShape gotShape shape then
      inputError file (path ++ ".shape") s!"expected {natList shape} for this config, got {intList gotShape}"
    else
      let exponent ← intField file j path "exponent"
      let mant ← asArr file (path ++ ".mantissas") (← getField file j path "mantissas")
      let size := shapeSize shape
      if mant.size != size then
        inputError file (path ++ ".mantissas") s!"expected a list of {size} integers, got {mant.size}"
      else
        let mut ms : Array Int := #[]
        let mut i : Nat := 0
        for x in mant do
          let miOpt := jsonInt x
          if miOpt.isNone then
            inputError file s!"{path}.mantissas[{i}]" s!"expected an integer mantissa, got {x.compress}"
          let mi : Int := miOpt.getD 0
          if !fitsFloat32 mi exponent then
            inputError file s!"{path}.mantissas[{i}]" s!"{mi}·2^{exponent} is not a finite float32 value"
          ms := ms.push mi
          i := i + 1
        return { shape := shape, exponent := exponent, mantissas := ms }

/-- `seed` is optional: an integer or null. -/
def checkSeed (seed : Option Lean.Json) : Except CheckError Unit :=
  match seed with
  | some Lean.Json.null => Except.ok ()
  | some s =>
    if (jsonInt s).isSome then Except.ok ()
    else inputError InputFile.weights "seed" s!"expected an integer or null, got {s.compress}"
  | none => Except.ok ()

/-- Read and validate a weights file. Python: `weights.load` / `weights.parse`. -/
def parseWeights (text : String) : Except CheckError ExactWeights := do
  let file := InputFile.weights
  let doc ← parseJson file text
  let formatText := showJson (optField doc "format")
  let versionText := showJson (optField doc "version")
  if !isObject doc then
    inputError file "(top level)" "expected a JSON object"
  else if optStr doc "format" != some "mechproof-weights" then
    inputError file "format" s!"expected 'mechproof-weights', got {formatText}"
  else if optInt doc "version" != some 1 then
    inputError file "version" s!"expected 1, got {versionText} (this checker reads version 1)"
  else
    let cfg ← parseConfig file (← getField file doc "" "config") "config"
    checkSeed (optField doc "seed")
    let tensors ← getField file doc "" "tensors"
    if !isObject tensors then
      inputError file "tensors" "expected an object of tensors"
    else
      let wE ← parseTensor (optField tensors "W_E") #[cfg.dVocab, cfg.dModel] "tensors.W_E"
      let wPos ← parseTensor (optField tensors "W_pos") #[cfg.nCtx, cfg.dModel] "tensors.W_pos"
      let wQ ← parseTensor (optField tensors "W_Q") #[1, cfg.dModel, cfg.dHead] "tensors.W_Q"
      let wK ← parseTensor (optField tensors "W_K") #[1, cfg.dModel, cfg.dHead] "tensors.W_K"
      let wV ← parseTensor (optField tensors "W_V") #[1, cfg.dModel, cfg.dHead] "tensors.W_V"
      let wO ← parseTensor (optField tensors "W_O") #[1, cfg.dHead, cfg.dModel] "tensors.W_O"
      let wU ← parseTensor (optField tensors "W_U") #[cfg.dModel, cfg.dVocab] "tensors.W_U"
      let sha ← strField file doc "" "payload_sha256"
      return { cfg := cfg, payloadSha256 := sha, wE := wE, wPos := wPos, wQ := wQ, wK := wK,
               wV := wV, wO := wO, wU := wU }

/-! ## The certificate (python/mechproof/certificate.py) -/

/-- `inv_sqrt_d_head` (rule `inv-sqrt`, docs §4.1). -/
structure InvSqrtClaim where
  lo : Int
  hi : Int
  exp : Int
  deriving Inhabited

/-- `exp_eqke` / `exp_eqkp` (rule `exp-enclosure`, docs §4.2). -/
structure ExpClaim where
  ofName : String
  exp : Array (Array Int)
  lo : Array (Array Int)
  hi : Array (Array Int)
  deriving Inhabited

/-- One `[q, m, c, G]` entry of `cases` (rule `cubic-case`, docs §4.3). -/
structure CaseEntry where
  q : Int
  m : Int
  c : Int
  tokens : Array Int
  deriving Inhabited

structure CubicClaims where
  invSqrt : InvSqrtClaim
  expEqke : ExpClaim
  expEqkp : ExpClaim
  entries : Array CaseEntry
  deriving Inhabited

/-- The claims of each strategy this checker supports. -/
inductive StrategyClaims where
  | cubic (claims : CubicClaims)
  deriving Inhabited

structure Certificate where
  weightsRel : String
  sha256 : String
  cfg : ModelConfig
  strategyName : String
  params : Option Lean.Json
  claims : StrategyClaims
  boundCorrect : Int
  boundTotal : Int
  deriving Inhabited

/-- The claim object at `path` must name rule `rule` (Python: the `rule: Literal[...]` fields). -/
def expectRule (claim : Lean.Json) (path rule : String) : Except CheckError Unit :=
  match optStr claim "rule" with
  | some r =>
    if r == rule then Except.ok ()
    else inputError InputFile.certificate (path ++ ".rule") s!"expected '{rule}', got '{r}'"
  | none => inputError InputFile.certificate (path ++ ".rule") s!"expected '{rule}'"

def parseInvSqrtClaim (claims : Lean.Json) : Except CheckError InvSqrtClaim := do
  let file := InputFile.certificate
  let path := "claims.inv_sqrt_d_head"
  let j ← getField file claims "claims" "inv_sqrt_d_head"
  expectRule j path "inv-sqrt"
  let lo ← intField file j path "lo"
  let hi ← intField file j path "hi"
  let ex ← intField file j path "exp"
  return { lo := lo, hi := hi, exp := ex }

def parseExpClaim (claims : Lean.Json) (key : String) : Except CheckError ExpClaim := do
  let file := InputFile.certificate
  let path := "claims." ++ key
  let j ← getField file claims "claims" key
  expectRule j path "exp-enclosure"
  let ofName ← strField file j path "of"
  if ofName != "EQKE" && ofName != "EQKP" then
    inputError file (path ++ ".of") s!"expected 'EQKE' or 'EQKP', got '{ofName}'"
  else
    let ex ← gridField file j path "exp"
    let lo ← gridField file j path "lo"
    let hi ← gridField file j path "hi"
    return { ofName := ofName, exp := ex, lo := lo, hi := hi }

def parseCaseEntry (j : Lean.Json) (path : String) : Except CheckError CaseEntry := do
  let file := InputFile.certificate
  let xs ← asArr file path j
  if xs.size != 4 then
    inputError file path "expected [q, m, c, [k, ...]]"
  else
    let q ← asInt file (path ++ "[0]") (xs[0]!)
    let m ← asInt file (path ++ "[1]") (xs[1]!)
    let c ← asInt file (path ++ "[2]") (xs[2]!)
    let ks ← asIntArray file (path ++ "[3]") (xs[3]!)
    return { q := q, m := m, c := c, tokens := ks }

def parseCases (claims : Lean.Json) : Except CheckError (Array CaseEntry) := do
  let file := InputFile.certificate
  let path := "claims.cases"
  let j ← getField file claims "claims" "cases"
  expectRule j path "cubic-case"
  let raw ← asArr file (path ++ ".entries") (← getField file j path "entries")
  let mut out : Array CaseEntry := #[]
  let mut i : Nat := 0
  for e in raw do
    let entry ← parseCaseEntry e s!"{path}.entries[{i}]"
    out := out.push entry
    i := i + 1
  return out

/-- Python: `CubicClaims`. -/
def parseCubicClaims (claims : Lean.Json) : Except CheckError CubicClaims := do
  let invSqrt ← parseInvSqrtClaim claims
  let expEqke ← parseExpClaim claims "exp_eqke"
  let expEqkp ← parseExpClaim claims "exp_eqkp"
  let entries ← parseCases claims
  return { invSqrt := invSqrt, expEqke := expEqke, expEqkp := expEqkp, entries := entries }

/-- The claims of strategy `name`; the strategies this checker supports are the alternatives
below (Python: `CLAIM_SCHEMAS`). -/
def parseStrategyClaims (name : String) (claims : Lean.Json) : Except CheckError StrategyClaims :=
  match name with
  | "cubic" => StrategyClaims.cubic <$> parseCubicClaims claims
  | other => inputError InputFile.certificate "strategy.name" s!"unknown strategy '{other}'; known: ['cubic']"

/-- `strategy.params` is optional; when present it is an object (Python: `dict[str, Any]`). -/
def checkParams (params : Option Lean.Json) : Except CheckError Unit :=
  match params with
  | some p =>
    if isObject p then Except.ok ()
    else inputError InputFile.certificate "strategy.params" s!"expected an object, got {p.compress}"
  | none => Except.ok ()

/-- Read and validate a certificate. Python: `load_certificate`. -/
def parseCertificate (text : String) : Except CheckError Certificate := do
  let file := InputFile.certificate
  let doc ← parseJson file text
  let formatText := showJson (optField doc "format")
  let versionText := showJson (optField doc "version")
  if !isObject doc then
    inputError file "(top level)" "expected a JSON object"
  else if optStr doc "format" != some "mechproof-certificate" then
    inputError file "format" s!"expected 'mechproof-certificate', got {formatText}"
  else if optInt doc "version" != some 1 then
    inputError file "version" s!"expected 1 (this checker reads version 1), got {versionText}"
  else
    let model ← getField file doc "" "model"
    let weightsRel ← strField file model "model" "weights"
    let sha ← strField file model "model" "sha256"
    let cfg ← parseConfig file (← getField file doc "" "config") "config"
    let strategy ← getField file doc "" "strategy"
    let name ← strField file strategy "strategy" "name"
    let params := optField strategy "params"
    checkParams params
    let claimsDoc ← getField file doc "" "claims"
    let bound ← getField file doc "" "bound"
    let correct ← intField file bound "bound" "correct"
    let total ← intField file bound "bound" "total"
    let claims ← parseStrategyClaims name claimsDoc
    return { weightsRel := weightsRel, sha256 := sha, cfg := cfg, strategyName := name,
             params := params, claims := claims, boundCorrect := correct, boundTotal := total }

end MechProof

import Lean.Data.Json
import MechProof.Arith
import MechProof.Failures

/-!
# Reading the weights file and the certificate (docs/certificate.md §1 and §3–4)

Mirrors the parsers the Python checker uses: `python/mechproof/weights.py` (`parse`,
`_parse_tensor`, `_fits_float32`), `python/mechproof/config.py` (`ModelConfig`) and
`python/mechproof/certificate.py` (`load_certificate`, `CubicClaims`, `SubcubicClaims`,
`SubcubicParams`). JSON is read with core's `Lean.Json.parse`, which keeps numbers exact (an integer
mantissa and a decimal exponent); only JSON integers are accepted where the format has integers, so
no value is ever rounded.

Differences from the Python side, none of which can make a false claim pass:
* unknown keys are ignored (Python rejects them) — they carry no claims;
* a subcubic choice with an exponent of absolute value above 2^16 or a mantissa of more than 2^16
  bits is rejected as malformed (docs §7.1 allows this; `checkChoiceSize`);
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
      (inputError file s!"{fld}[{i}]" s!"expected an integer, got {x.compress}" : Except CheckError Unit)
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
    let oddV : Nat × Nat := valuationAux m.natAbs m.natAbs 0
    let e1 : Int := e + Int.ofNat oddV.2
    let bits : Int := Int.ofNat (bitlen oddV.1)
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
            (inputError file s!"{path}.mantissas[{i}]" s!"expected an integer mantissa, got {x.compress}" :
              Except CheckError Unit)
          let mi : Int := miOpt.getD 0
          if !fitsFloat32 mi exponent then
            (inputError file s!"{path}.mantissas[{i}]" s!"{mi}·2^{exponent} is not a finite float32 value" :
              Except CheckError Unit)
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

/-- `strategy.params` of a subcubic certificate (docs §7; Python: `SubcubicParams`). -/
structure SubcubicParams where
  variant : String
  eupu : String
  attention : String
  qk : String
  count : String
  deriving Inhabited

/-- A dyadic vector `{"exp": e, "mant": [...]}` (Python: `DyVec`). -/
structure DyVec where
  exp : Int
  mant : Array Int
  deriving Inhabited

/-- A dyadic matrix `{"exp": e, "rows": [[...], ...]}` (Python: `DyMat`). -/
structure DyMat where
  exp : Int
  rows : Array (Array Int)
  deriving Inhabited

/-- A peel `{"x": MAT, "y": MAT}`: the factor minus `x·yᵀ` (Python: `Peel`). -/
structure Peel where
  x : DyMat
  y : DyMat
  deriving Inhabited

/-- `choices` (rule `choices`, docs §7.1; Python: `SubcubicChoices`). -/
structure SubcubicChoices where
  keyPosCentre : DyVec
  eupuMu : Option DyVec
  peels : Array (Option Peel)
  centres : Array (Option DyVec)
  spectralEps : Option Dy
  avg : Array (Array Dy)
  deriving Inhabited

/-- One `[q, m, c, g]` entry of `cases` (rule `subcubic-case`, docs §7.3). -/
structure SubcubicEntry where
  q : Int
  m : Int
  c : Int
  g : Int
  deriving Inhabited

structure SubcubicClaims where
  invSqrt : InvSqrtClaim
  choices : SubcubicChoices
  entries : Array SubcubicEntry
  deriving Inhabited

/-- The claims of each strategy this checker supports. -/
inductive StrategyClaims where
  | cubic (claims : CubicClaims)
  | subcubic (params : SubcubicParams) (claims : SubcubicClaims)
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

/-! ### Subcubic certificates (docs §7, python/mechproof/certificate.py `SubcubicClaims`) -/

/-- Is `s` one of `xs`? -/
def memStr (xs : Array String) (s : String) : Bool := Id.run do
  let mut found : Bool := false
  for x in xs do
    if x == s then
      found := true
  return found

/-- `a, b, c` (for messages). -/
def joinStr (xs : Array String) : String := Id.run do
  let mut out : String := ""
  let mut isFirst : Bool := true
  for x in xs do
    if !isFirst then
      out := out ++ ", "
    out := out ++ x
    isFirst := false
  return out

/-- The allowed values of `strategy.params` (Python: `SUBCUBIC_EUPU`, `SUBCUBIC_ATTENTION`,
`SUBCUBIC_QK`, `SUBCUBIC_COUNT`). -/
def subcubicEupu : Array String :=
  #["mean_query+max_diff", "svd_query+max_diff", "max_diff", "max_diff_exact", "global_max_diff_exact"]

def subcubicAttention : Array String :=
  #["mean_query+diff", "drop_average_query_per_output_logit_reasoning"]

def subcubicQk : Array String :=
  #["svd", "max_diff", "mean+max_diff", "max_diff_exact", "max_diff_subproduct",
    "mean+max_diff_subproduct", "max_diff_subproduct_recursive", "mean+max_diff_subproduct_recursive",
    "mean_recursive+max_diff_subproduct_recursive", "exact_EQKE+max_diff_exact"]

def subcubicCount : Array String := #["fixed", "paper"]

/-- A string field that must be one of `allowed` (Python: a `Literal[...]` field). -/
def literalField (j : Lean.Json) (path key : String) (allowed : Array String) : Except CheckError String := do
  let s ← strField InputFile.certificate j path key
  if memStr allowed s then
    return s
  else
    inputError InputFile.certificate (joinField path key) s!"expected one of {joinStr allowed}, got '{s}'"

/-- `strategy.params` of a subcubic certificate. Python: `SubcubicParams` (whose `variant` the
checker compares with `eupu;attention;qk`, see `checkStrategy`). -/
def parseSubcubicParams (params : Option Lean.Json) : Except CheckError SubcubicParams :=
  match params with
  | none => inputError InputFile.certificate "strategy.params.variant" "field required"
  | some p => do
    let path := "strategy.params"
    let variant ← strField InputFile.certificate p path "variant"
    let eupu ← literalField p path "eupu" subcubicEupu
    let attention ← literalField p path "attention" subcubicAttention
    let qk ← literalField p path "qk" subcubicQk
    let count ← literalField p path "count" subcubicCount
    return { variant := variant, eupu := eupu, attention := attention, qk := qk, count := count }

/-- docs §7.1 allows a checker to reject a choice with an exponent of absolute value above 2^16 or a
mantissa of more than 2^16 bits as malformed. This one does: the limit bounds the work (`pow2` of an
exponent difference) that a certificate can make the checker do; no honest certificate comes near. -/
def choiceBits : Nat := 65536

def checkChoiceSize (fld : String) (ex : Int) (ms : Array Int) : Except CheckError Unit := do
  if choiceBits < ex.natAbs then
    throw (CheckError.input InputFile.certificate fld s!"exponent {ex} out of range (|exp| ≤ 2^16)")
  for x in ms do
    if choiceBits < bitlen x.natAbs then
      throw (CheckError.input InputFile.certificate fld "a mantissa has more than 2^16 bits")

/-- A dyadic `[m, e]` (Python: `DyPair`). -/
def parseDyPair (j : Lean.Json) (path : String) : Except CheckError Dy := do
  let file := InputFile.certificate
  let xs ← asIntArray file path j
  if xs.size != 2 then
    inputError file path s!"expected a dyadic [m, e], got {j.compress}"
  else
    checkChoiceSize path (xs[1]!) #[xs[0]!]
    return Dy.mk (xs[0]!) (xs[1]!)

def parseDyVec (j : Lean.Json) (path : String) : Except CheckError DyVec := do
  let file := InputFile.certificate
  let ex ← intField file j path "exp"
  let mant ← asIntArray file (joinField path "mant") (← getField file j path "mant")
  checkChoiceSize path ex mant
  return { exp := ex, mant := mant }

def parseDyMat (j : Lean.Json) (path : String) : Except CheckError DyMat := do
  let file := InputFile.certificate
  let ex ← intField file j path "exp"
  let rows ← gridField file j path "rows"
  for r in rows do
    checkChoiceSize path ex r
  return { exp := ex, rows := rows }

def parsePeel (j : Lean.Json) (path : String) : Except CheckError Peel := do
  let file := InputFile.certificate
  let x ← parseDyMat (← getField file j path "x") (joinField path "x")
  let y ← parseDyMat (← getField file j path "y") (joinField path "y")
  return { x := x, y := y }

/-- `null`, or a value parsed by `parse`. -/
def parseOptDyVec (j : Lean.Json) (path : String) : Except CheckError (Option DyVec) :=
  match j with
  | Lean.Json.null => Except.ok none
  | _ => some <$> parseDyVec j path

def parseOptPeel (j : Lean.Json) (path : String) : Except CheckError (Option Peel) :=
  match j with
  | Lean.Json.null => Except.ok none
  | _ => some <$> parsePeel j path

def parseOptDyPair (j : Lean.Json) (path : String) : Except CheckError (Option Dy) :=
  match j with
  | Lean.Json.null => Except.ok none
  | _ => some <$> parseDyPair j path

/-- `claims.choices`. Python: `SubcubicChoices` (`eupu_mu` and `spectral_eps` must be present, and
may be `null`). -/
def parseSubcubicChoices (claims : Lean.Json) : Except CheckError SubcubicChoices := do
  let file := InputFile.certificate
  let path := "claims.choices"
  let j ← getField file claims "claims" "choices"
  expectRule j path "choices"
  let kpc ← parseDyVec (← getField file j path "key_pos_centre") (joinField path "key_pos_centre")
  let mu ← parseOptDyVec (← getField file j path "eupu_mu") (joinField path "eupu_mu")
  let peelsJ ← asArr file (joinField path "peels") (← getField file j path "peels")
  let mut peels : Array (Option Peel) := #[]
  let mut i : Nat := 0
  for pj in peelsJ do
    let pl ← parseOptPeel pj s!"{path}.peels[{i}]"
    peels := peels.push pl
    i := i + 1
  let centresJ ← asArr file (joinField path "centres") (← getField file j path "centres")
  let mut centres : Array (Option DyVec) := #[]
  let mut k : Nat := 0
  for cj in centresJ do
    let cv ← parseOptDyVec cj s!"{path}.centres[{k}]"
    centres := centres.push cv
    k := k + 1
  let eps ← parseOptDyPair (← getField file j path "spectral_eps") (joinField path "spectral_eps")
  let avgJ ← asArr file (joinField path "avg") (← getField file j path "avg")
  let mut avg : Array (Array Dy) := #[]
  let mut mi : Nat := 0
  for rowJ in avgJ do
    let cells ← asArr file s!"{path}.avg[{mi}]" rowJ
    let mut row : Array Dy := #[]
    let mut ci : Nat := 0
    for cell in cells do
      let d ← parseDyPair cell s!"{path}.avg[{mi}][{ci}]"
      row := row.push d
      ci := ci + 1
    avg := avg.push row
    mi := mi + 1
  return { keyPosCentre := kpc, eupuMu := mu, peels := peels, centres := centres, spectralEps := eps,
           avg := avg }

def parseSubcubicEntry (j : Lean.Json) (path : String) : Except CheckError SubcubicEntry := do
  let file := InputFile.certificate
  let xs ← asIntArray file path j
  if xs.size != 4 then
    inputError file path "expected [q, m, c, g]"
  else
    return { q := xs[0]!, m := xs[1]!, c := xs[2]!, g := xs[3]! }

def parseSubcubicCases (claims : Lean.Json) : Except CheckError (Array SubcubicEntry) := do
  let file := InputFile.certificate
  let path := "claims.cases"
  let j ← getField file claims "claims" "cases"
  expectRule j path "subcubic-case"
  let raw ← asArr file (path ++ ".entries") (← getField file j path "entries")
  let mut out : Array SubcubicEntry := #[]
  let mut i : Nat := 0
  for e in raw do
    let entry ← parseSubcubicEntry e s!"{path}.entries[{i}]"
    out := out.push entry
    i := i + 1
  return out

/-- Python: `SubcubicClaims`. -/
def parseSubcubicClaims (claims : Lean.Json) : Except CheckError SubcubicClaims := do
  let invSqrt ← parseInvSqrtClaim claims
  let choices ← parseSubcubicChoices claims
  let entries ← parseSubcubicCases claims
  return { invSqrt := invSqrt, choices := choices, entries := entries }

/-- The claims (and, for subcubic, the parameters) of strategy `name`; the strategies this checker
supports are the alternatives below (Python: `CLAIM_SCHEMAS`, `PARAM_SCHEMAS`). -/
def parseStrategyClaims (name : String) (params : Option Lean.Json) (claims : Lean.Json) :
    Except CheckError StrategyClaims :=
  match name with
  | "cubic" => StrategyClaims.cubic <$> parseCubicClaims claims
  | "subcubic" => do
    let sClaims ← parseSubcubicClaims claims
    let sParams ← parseSubcubicParams params
    return StrategyClaims.subcubic sParams sClaims
  | other =>
    inputError InputFile.certificate "strategy.name" s!"unknown strategy '{other}'; known: ['cubic', 'subcubic']"

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
    let claims ← parseStrategyClaims name params claimsDoc
    return { weightsRel := weightsRel, sha256 := sha, cfg := cfg, strategyName := name,
             params := params, claims := claims, boundCorrect := correct, boundTotal := total }

end MechProof

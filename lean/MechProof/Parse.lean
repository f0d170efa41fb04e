import Lean.Data.Json
import MechProof.Arith
import MechProof.Failures

/-!
# Reading the weights file and the certificate (docs/certificate.md §1, §3–4, §7, §9–10)

Mirrors the parsers the Python checker uses: `python/mechproof/jsonfile.py` (`read_json`, `MAX_DEPTH`),
`python/mechproof/weights.py` (`parse`, `_exact_keys`, `_parse_tensor`, `_fits_float32`),
`python/mechproof/config.py` (`config_from_file`), `python/mechproof/certificate.py`
(`load_certificate`, `_weights_path`, `_version_features`) and `python/mechproof/tasks/maxk/schema.py` (the claim
schemas). Every way the Python
parser rejects a file is a way this one rejects it, as malformed input (exit 2):

* before `Lean.Json.parse` sees the text, `scanText` rejects a number in exponent form (`1e3`: Lean's
  parser would compute `10^N` for `1eN`), nesting deeper than 32 (its parser recurses), and an integer of
  more than 4300 digits (Python's `json` refuses those);
* every field is required where the Python schema has no default, and unknown keys are rejected at every
  level (`exactKeys`);
* integers only where the format has integers (`getInt?` accepts a JSON number with no fraction part
  and no exponent only; booleans and strings are not numbers), with the limits of docs §10;
* `version` is exactly 1, 2 or 3 (weights: 1 or 2), `task` is present exactly in version 3 (weights: 2) and
  names a known task (docs §10); `model.weights` follows the path rule of docs §3;
* the induction task (docs §11.2, §11.7) has its own `config` limits, tensors and claims
  (`parseTaskConfig`, `inductionTensorNames`, `parseInductionStrategyClaims`).

What this file cannot do: recompute `payload_sha256` (core Lean has no SHA-256). The certificate modules
under `lean/Certificates/` embed the exact weights file the certificate names (see TRUST.md).
-/

set_option autoImplicit false

namespace MechProof

/-! ## The raw text, before `Lean.Json.parse` (docs §10) -/

/-- docs §10: the deepest nesting of arrays and objects either file may have (honest files: 6).
Python: `jsonfile.MAX_DEPTH`. -/
def maxJsonDepth : Nat := 32

/-- The most digits an integer may have: Python's `json` refuses a longer integer (CPython's default
`sys.get_int_max_str_digits()` is 4300), so such a file is malformed for both checkers. -/
def maxIntDigits : Nat := 4300

/-- Is the byte `c` an ASCII digit? -/
def isDigitByte (c : Nat) : Bool := decide (48 ≤ c) && decide (c ≤ 57)

/-- What `scanText` found in a file's text. -/
structure TextScan where
  /-- the deepest nesting of `[` and `{` outside strings (the top-level value counts 1) -/
  deepest : Nat
  /-- a number token outside strings contains `e` or `E` -/
  exponentForm : Bool
  /-- an integer token (no `.`, no exponent) has more than `maxIntDigits` digits -/
  longInteger : Bool
  deriving Inhabited

/-- One pass over the UTF-8 bytes of `text`, tracking strings (with `\` escapes) and number tokens.
A number token starts outside a string at `-` or a digit and goes on over digits and `+ - . e E`; a
`t`, `f` or `n` starts no token, so the `e` of `true` and `false` is not seen as an exponent. -/
def scanText (text : String) : TextScan := Id.run do
  let mut inString : Bool := false
  let mut escaped : Bool := false
  let mut inNumber : Bool := false
  let mut fraction : Bool := false
  let mut digits : Nat := 0
  let mut depth : Nat := 0
  let mut deepest : Nat := 0
  let mut exponentForm : Bool := false
  let mut longInteger : Bool := false
  for b in text.toUTF8.data do
    let c : Nat := b.toNat
    if inString then
      if escaped then
        escaped := false
      else if c == 92 then
        escaped := true
      else if c == 34 then
        inString := false
    else
      let numberByte : Bool := isDigitByte c || c == 45 || c == 43 || c == 46 || c == 101 || c == 69
      if numberByte && (inNumber || isDigitByte c || c == 45) then
        if !inNumber then
          inNumber := true
          fraction := false
          digits := 0
        if isDigitByte c then
          digits := digits + 1
        if c == 46 then
          fraction := true
        if c == 101 || c == 69 then
          exponentForm := true
      else
        if inNumber && !fraction && decide (maxIntDigits < digits) then
          longInteger := true
        inNumber := false
        if c == 34 then
          inString := true
        else if c == 91 || c == 123 then
          depth := depth + 1
          if deepest < depth then
            deepest := depth
        else if c == 93 || c == 125 then
          depth := depth - 1
  if inNumber && !fraction && decide (maxIntDigits < digits) then
    longInteger := true
  return { deepest := deepest, exponentForm := exponentForm, longInteger := longInteger }

/-- docs §10: the text-level limits, checked before parsing. -/
def checkText (file : InputFile) (text : String) : Except CheckError Unit :=
  let s := scanText text
  if s.exponentForm then
    inputError file "(JSON)" "a number in exponent form (such as 1e3): numbers must be plain JSON integers (docs §10)"
  else if s.longInteger then
    inputError file "(JSON)" s!"an integer of more than {maxIntDigits} digits (unreadable JSON)"
  else if maxJsonDepth < s.deepest then
    inputError file "(JSON)" s!"JSON nested deeper than {maxJsonDepth} levels (docs §10)"
  else
    Except.ok ()

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

/-- `['a', 'b']`, as Python prints a list of strings. -/
def strList (xs : Array String) : String := Id.run do
  let mut s : String := "["
  let mut isFirst : Bool := true
  for x in xs do
    if !isFirst then
      s := s ++ ", "
    s := s ++ "'" ++ x ++ "'"
    isFirst := false
  return s ++ "]"

/-- Is `s` one of `xs`? -/
def memStr (xs : Array String) (s : String) : Bool := Id.run do
  let mut found : Bool := false
  for x in xs do
    if x == s then
      found := true
  return found

/-- `Lean.Json.parse` of a text that `checkText` has passed. -/
def parseJsonText (file : InputFile) (text : String) : Except CheckError Lean.Json :=
  match Lean.Json.parse text with
  | Except.ok j => Except.ok j
  | Except.error e => inputError file "(JSON)" s!"not valid JSON ({e}); truncated?"

/-- The text checks of docs §10, then the parse. Python: `jsonfile.read_json`. -/
def parseJson (file : InputFile) (text : String) : Except CheckError Lean.Json := do
  checkText file text
  parseJsonText file text

/-- Does the object `j` have no key outside `keys`? `Lean.Json` has no way to list an object's keys that is
the same in every Lean version, so this rebuilds the object from the keys of `keys` that it has
(`Lean.Json.mkObj`) and compares the two with `Lean.Json`'s `==`, which compares objects as maps: one
extra key makes them differ. -/
def noOtherKeys (j : Lean.Json) (keys : Array String) : Bool := Id.run do
  let mut present : List (String × Lean.Json) := []
  for k in keys do
    let v : Option Lean.Json := optField j k
    if v.isSome then
      present := (k, v.getD Lean.Json.null) :: present
  return j == Lean.Json.mkObj present

/-- `j` (found at `path`) is an object with every key of `required`, and no key outside `required` and
`optional`. Python: `weights._exact_keys`, and `extra="forbid"` with required fields in the pydantic
schemas of `certificate.py` and `tasks/maxk/schema.py`. -/
def exactKeys (file : InputFile) (j : Lean.Json) (path : String) (required optional : Array String) :
    Except CheckError Unit := do
  let here : String := if path == "" then "(top level)" else path
  let keys : Array String := required ++ optional
  if !isObject j then
    throw (CheckError.input file here "expected a JSON object")
  for k in required do
    if (optField j k).isNone then
      throw (CheckError.input file (joinField path k) s!"field required (expected exactly the keys {strList keys})")
  if !noOtherKeys j keys then
    throw (CheckError.input file here s!"unknown key (expected exactly the keys {strList keys})")

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

/-! ## Limits of docs §10 (Python: `certificate._bits`, `_range`, `_sized`) -/

/-- `|x| < 2^bits`, i.e. `bitlen |x| ≤ bits`. Python: `_bits(limit)`. -/
def checkBits (file : InputFile) (fld : String) (x : Int) (bits : Nat) : Except CheckError Unit :=
  if bits < bitlen x.natAbs then
    inputError file fld s!"integer out of range (limit: absolute value below 2^{bits})"
  else
    Except.ok ()

/-- `lo ≤ x ≤ hi`. Python: `_range(lo, hi)`. -/
def checkRange (file : InputFile) (fld : String) (x lo hi : Int) : Except CheckError Unit :=
  if decide (x < lo) || decide (hi < x) then
    inputError file fld s!"{x} out of range (limit: {lo} ≤ value ≤ {hi})"
  else
    Except.ok ()

/-- `checkBits` on every entry of a grid (field `fld[i][k]`). -/
def checkGridBits (file : InputFile) (fld : String) (g : Array (Array Int)) (bits : Nat) :
    Except CheckError Unit := do
  let mut i : Nat := 0
  for row in g do
    let mut k : Nat := 0
    for x in row do
      if bits < bitlen x.natAbs then
        throw (CheckError.input file s!"{fld}[{i}][{k}]" s!"integer out of range (limit: absolute value below 2^{bits})")
      k := k + 1
    i := i + 1

/-- `checkRange` on every entry of a grid (field `fld[i][k]`). -/
def checkGridRange (file : InputFile) (fld : String) (g : Array (Array Int)) (lo hi : Int) :
    Except CheckError Unit := do
  let mut i : Nat := 0
  for row in g do
    let mut k : Nat := 0
    for x in row do
      if decide (x < lo) || decide (hi < x) then
        throw (CheckError.input file s!"{fld}[{i}][{k}]" s!"{x} out of range (limit: {lo} ≤ value ≤ {hi})")
      k := k + 1
    i := i + 1

/-! ## The model configuration (python/mechproof/config.py `ModelConfig`, `config_from_file`) -/

structure ModelConfig where
  dVocab : Nat
  nCtx : Nat
  dModel : Nat
  dHead : Nat
  deriving Inhabited, BEq

def ModelConfig.str (c : ModelConfig) : String :=
  s!"d_vocab={c.dVocab} n_ctx={c.nCtx} d_model={c.dModel} d_head={c.dHead}"

/-- One field of `ModelConfig`: a JSON integer in `[lo, hi]`. -/
def configField (file : InputFile) (j : Lean.Json) (path key : String) (lo hi : Nat) :
    Except CheckError Nat := do
  let i ← intField file j path key
  if decide (i < Int.ofNat lo) || decide (Int.ofNat hi < i) then
    inputError file (joinField path key) s!"expected an integer in [{lo}, {hi}], got {i}"
  else
    return i.toNat

/-- `config`: exactly the four keys, each a JSON integer in range (no defaults). Python:
`config_from_file`. -/
def parseConfig (file : InputFile) (j : Lean.Json) (path : String) : Except CheckError ModelConfig := do
  exactKeys file j path #["d_vocab", "n_ctx", "d_model", "d_head"] #[]
  let dVocab ← configField file j path "d_vocab" 2 4096
  let nCtx ← configField file j path "n_ctx" 2 64
  let dModel ← configField file j path "d_model" 1 1024
  let dHead ← configField file j path "d_head" 1 1024
  return { dVocab := dVocab, nCtx := nCtx, dModel := dModel, dHead := dHead }

/-- The task names a file may give (Python: `tasks.TASKS`). -/
def taskNames : Array String := #["maxk", "induction"]

/-- Is `d` one of 1, 4, 16, 64, 256 (for `d ≤ 256`)? Python: `InductionConfig._task_limits`
(`d == 1 << k` with `k` even). -/
def isPowerOf4 (d : Nat) : Bool := Id.run do
  let mut p : Nat := 1
  let mut found : Bool := false
  for _ in List.range 5 do
    if p == d then
      found := true
    p := p * 4
  return found

/-- `config` of a file of `task`: Max-of-K's `parseConfig`, or the induction task's limits (docs §11.2:
3 ≤ V ≤ 64, 3 ≤ n ≤ 16, V ≥ n − 1, d_model ≤ 256, d_head a power of 4). Python: `config_from_file` with
the task's configuration class (`InductionConfig`). -/
def parseTaskConfig (file : InputFile) (task : String) (j : Lean.Json) (path : String) :
    Except CheckError ModelConfig := do
  if task != "induction" then
    return (← parseConfig file j path)
  exactKeys file j path #["d_vocab", "n_ctx", "d_model", "d_head"] #[]
  let dVocab ← configField file j path "d_vocab" 3 64
  let nCtx ← configField file j path "n_ctx" 3 16
  let dModel ← configField file j path "d_model" 1 256
  let dHead ← configField file j path "d_head" 1 256
  if dVocab + 1 < nCtx then
    throw (CheckError.input file path s!"d_vocab must be at least n_ctx − 1 = {nCtx - 1} (distinct tokens)")
  if !isPowerOf4 dHead then
    throw (CheckError.input file path "d_head must be a power of 4 (1, 4, 16, 64, 256), so that 1/√d_head is exact")
  return { dVocab := dVocab, nCtx := nCtx, dModel := dModel, dHead := dHead }

/-! ## The weights file (python/mechproof/weights.py) -/

/-- `value[i] = mantissas[i]·2^exponent`, row-major over `shape`. -/
structure ExactTensor where
  shape : Array Nat
  exponent : Int
  mantissas : Array Int
  deriving Inhabited

structure ExactWeights where
  /-- `maxk`, or the `task` of a version-2 file -/
  task : String
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
  /-- The induction task's second layer (`blocks.1.attn.W_Q`, `W_K`, `W_V`, `W_O`); empty for Max-of-K,
  whose one layer (the induction task's `blocks.0`) is `wQ` … `wO`. -/
  layer1 : Array ExactTensor
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

/-- The top-level keys of a weights file (Python: `TOP_KEYS`). -/
def weightsKeys : Array String :=
  #["format", "version", "config", "seed", "provenance", "payload_sha256", "tensors"]

/-- A version-2 weights file also names its task (Python: `TOP_KEYS_TASK`). -/
def weightsKeysTask : Array String :=
  #["format", "version", "task", "config", "seed", "provenance", "payload_sha256", "tensors"]

/-- The seven tensors, in the order of the payload hash (Python: `TENSOR_ORDER`). -/
def tensorNames : Array String := #["W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U"]

/-- The induction task's tensors in payload order (docs §11.2; Python: `InductionConfig.tensor_shapes`). -/
def inductionTensorNames : Array String :=
  #["W_E", "W_pos", "blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.0.attn.W_V", "blocks.0.attn.W_O",
    "blocks.1.attn.W_Q", "blocks.1.attn.W_K", "blocks.1.attn.W_V", "blocks.1.attn.W_O", "W_U"]

/-- docs §10: a tensor's exponent lies in `[−149, 127]` (Python: `EXPONENT_RANGE`). -/
def tensorExpMin : Int := -149

def tensorExpMax : Int := 127

/-- One tensor of the weights file. Python: `_parse_tensor`. -/
def parseTensor (tensors : Lean.Json) (name : String) (shape : Array Nat) : Except CheckError ExactTensor := do
  let file := InputFile.weights
  let path : String := "tensors." ++ name
  let j ← getField file tensors "tensors" name
  if !isObject j then
    throw (CheckError.input file path "tensor missing or not an object")
  exactKeys file j path #["shape", "dtype", "exponent", "mantissas"] #[]
  let dtypeText := showJson (optField j "dtype")
  if optStr j "dtype" != some "float32" then
    throw (CheckError.input file (path ++ ".dtype") s!"expected 'float32', got {dtypeText}")
  let gotShape ← asIntArray file (path ++ ".shape") (← getField file j path "shape")
  if !sameShape gotShape shape then
    throw (CheckError.input file (path ++ ".shape") s!"expected {natList shape} for this config, got {intList gotShape}")
  let exponent ← intField file j path "exponent"
  if decide (exponent < tensorExpMin) || decide (tensorExpMax < exponent) then
    throw (CheckError.input file (path ++ ".exponent")
      s!"{exponent} out of range (limit: {tensorExpMin} ≤ exponent ≤ {tensorExpMax})")
  let mant ← asArr file (path ++ ".mantissas") (← getField file j path "mantissas")
  let size := shapeSize shape
  if mant.size != size then
    throw (CheckError.input file (path ++ ".mantissas") s!"expected a list of {size} integers, got {mant.size}")
  let mut ms : Array Int := #[]
  let mut i : Nat := 0
  for x in mant do
    let miOpt := jsonInt x
    if miOpt.isNone then
      throw (CheckError.input file s!"{path}.mantissas[{i}]" s!"expected an integer mantissa, got {x.compress}")
    let mi : Int := miOpt.getD 0
    if !fitsFloat32 mi exponent then
      throw (CheckError.input file s!"{path}.mantissas[{i}]" s!"{mi}·2^{exponent} is not a finite float32 value")
    ms := ms.push mi
    i := i + 1
  return { shape := shape, exponent := exponent, mantissas := ms }

/-- `seed`: an integer or null. -/
def checkSeed (seed : Lean.Json) : Except CheckError Unit :=
  match seed with
  | Lean.Json.null => Except.ok ()
  | s =>
    if (jsonInt s).isSome then Except.ok ()
    else inputError InputFile.weights "seed" s!"expected an integer or null, got {s.compress}"

/-- Read and validate a weights file. Python: `weights.load` / `weights.parse` (the nesting limit of
`provenance`, the only free-form JSON, is the text limit of `checkText`). -/
def parseWeights (text : String) : Except CheckError ExactWeights := do
  let file := InputFile.weights
  let doc ← parseJson file text
  if !isObject doc then
    throw (CheckError.input file "(top level)" "expected a JSON object")
  let taskVersion : Bool := optInt doc "version" == some 2
  exactKeys file doc "" (if taskVersion then weightsKeysTask else weightsKeys) #[]
  let formatText := showJson (optField doc "format")
  if optStr doc "format" != some "mechproof-weights" then
    throw (CheckError.input file "format" s!"expected 'mechproof-weights', got {formatText}")
  let versionText := showJson (optField doc "version")
  if !(optInt doc "version" == some 1 || taskVersion) then
    throw (CheckError.input file "version" s!"expected the integer 1 or 2 (this checker reads versions [1, 2]), got {versionText}")
  let task : String := if taskVersion then (optStr doc "task").getD "" else "maxk"
  if !memStr taskNames task then
    throw (CheckError.input file "task" s!"expected one of {strList taskNames}, got {showJson (optField doc "task")}")
  let cfg ← parseTaskConfig file task (← getField file doc "" "config") "config"
  checkSeed (← getField file doc "" "seed")
  let provenance ← getField file doc "" "provenance"
  if !isObject provenance then
    throw (CheckError.input file "provenance" s!"expected a JSON object, got {provenance.compress}")
  let tensors ← getField file doc "" "tensors"
  if !isObject tensors then
    throw (CheckError.input file "tensors" "expected an object of tensors")
  let induction : Bool := task == "induction"
  exactKeys file tensors "tensors" (if induction then inductionTensorNames else tensorNames) #[]
  let pre : String := if induction then "blocks.0.attn." else ""
  let wE ← parseTensor tensors "W_E" #[cfg.dVocab, cfg.dModel]
  let wPos ← parseTensor tensors "W_pos" #[cfg.nCtx, cfg.dModel]
  let wQ ← parseTensor tensors (pre ++ "W_Q") #[1, cfg.dModel, cfg.dHead]
  let wK ← parseTensor tensors (pre ++ "W_K") #[1, cfg.dModel, cfg.dHead]
  let wV ← parseTensor tensors (pre ++ "W_V") #[1, cfg.dModel, cfg.dHead]
  let wO ← parseTensor tensors (pre ++ "W_O") #[1, cfg.dHead, cfg.dModel]
  let mut layer1 : Array ExactTensor := #[]
  if induction then
    for name in #["W_Q", "W_K", "W_V"] do
      let t ← parseTensor tensors ("blocks.1.attn." ++ name) #[1, cfg.dModel, cfg.dHead]
      layer1 := layer1.push t
    let t ← parseTensor tensors "blocks.1.attn.W_O" #[1, cfg.dHead, cfg.dModel]
    layer1 := layer1.push t
  let wU ← parseTensor tensors "W_U" #[cfg.dModel, cfg.dVocab]
  let sha ← strField file doc "" "payload_sha256"
  return { task := task, cfg := cfg, payloadSha256 := sha, wE := wE, wPos := wPos, wQ := wQ, wK := wK,
           wV := wV, wO := wO, wU := wU, layer1 := layer1 }

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

/-- One `[q, m, c, G]` entry of `cases` (rule `cubic-case`, version 1, docs §4.3). -/
structure CaseEntry where
  q : Int
  m : Int
  c : Int
  tokens : Array Int
  deriving Inhabited

/-- One `[q, m, c, kp, kn]` entry of `cases` (rule `cubic-prefix`, version 2, docs §4.4). -/
structure PrefixEntry where
  q : Int
  m : Int
  c : Int
  kp : Int
  kn : Int
  deriving Inhabited

/-- `cases` of a cubic certificate: one rule per format version (Python: `CubicCases`,
`CubicPrefixCases`). -/
inductive CubicCases where
  | listed (entries : Array CaseEntry)
  | boundary (entries : Array PrefixEntry)
  deriving Inhabited

/-- `residual` (rule `inputs-right`, docs §9): delta-coded input indices. Python: `ResidualClaim`. -/
structure ResidualClaim where
  inputs : Array Int
  deriving Inhabited

/-- `wrong` (rule `inputs-wrong`, docs §9): delta-coded input indices and one witness logit each.
Python: `WrongClaim`. -/
structure WrongClaim where
  inputs : Array Int
  witness : Array Int
  deriving Inhabited

/-- The claims of `cubic` and `cubic+residual` (Python: `CubicClaims`, `CubicResidualClaims`). -/
structure CubicClaims where
  invSqrt : InvSqrtClaim
  expEqke : ExpClaim
  expEqkp : ExpClaim
  cases : CubicCases
  residual : Option ResidualClaim
  wrong : Option WrongClaim
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
  residual : Option ResidualClaim
  wrong : Option WrongClaim
  deriving Inhabited

/-- One case `[[prefix...], [L_0, …, L_{n−1}]]` of an induction group (docs §11.2, §11.5.5; Python:
`schema.CaseEntry`). -/
structure IndCase where
  pre : Array Int
  lam : Array Int
  deriving Inhabited

/-- One group `[q, i, a, [order...], [case, ...]]` of rule `induction-cases` (Python: `schema.Group`). -/
structure IndGroup where
  q : Int
  i : Int
  a : Int
  order : Array Int
  cases : Array IndCase
  deriving Inhabited

/-- The claims of `windows` and `windows+residual` (Python: `WindowsClaims`, `WindowsResidualClaims`). -/
structure InductionClaims where
  entries : Array IndGroup
  residual : Option ResidualClaim
  wrong : Option WrongClaim
  deriving Inhabited

/-- The claims of each strategy this checker supports (`cubic` and `cubic+residual` share one form, and
so do the induction task's `windows` and `windows+residual`, whose parameter is `depth`). -/
inductive StrategyClaims where
  | cubic (claims : CubicClaims)
  | subcubic (params : SubcubicParams) (claims : SubcubicClaims)
  | induction (depth : Int) (claims : InductionClaims)
  deriving Inhabited

structure Certificate where
  version : Int
  /-- `maxk` for versions 1 and 2, else the `task` field -/
  task : String
  weightsRel : String
  sha256 : String
  cfg : ModelConfig
  strategyName : String
  claims : StrategyClaims
  boundCorrect : Int
  boundTotal : Int
  /-- `bound.upper` (v2, docs §3), when present -/
  boundUpper : Option Int
  deriving Inhabited

/-- docs §3: `model.weights` is a relative path inside the certificate's folder: components made of
`A–Z a–z 0–9 . _ -`, joined by `/`, none empty and none `.` or `..`. Python: `_weights_path`. -/
def validWeightsPath (p : String) : Bool := Id.run do
  let mut ok : Bool := true
  let mut len : Nat := 0
  let mut dots : Nat := 0
  for b in p.toUTF8.data do
    let c : Nat := b.toNat
    if c == 47 then
      if len == 0 || (dots == len && decide (len ≤ 2)) then
        ok := false
      len := 0
      dots := 0
    else
      let upper : Bool := decide (65 ≤ c) && decide (c ≤ 90)
      let lower : Bool := decide (97 ≤ c) && decide (c ≤ 122)
      if !(isDigitByte c || upper || lower || c == 46 || c == 95 || c == 45) then
        ok := false
      len := len + 1
      if c == 46 then
        dots := dots + 1
  if len == 0 || (dots == len && decide (len ≤ 2)) then
    ok := false
  return ok

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
  exactKeys file j path #["rule", "lo", "hi", "exp"] #[]
  expectRule j path "inv-sqrt"
  let lo ← intField file j path "lo"
  checkBits file (path ++ ".lo") lo 256
  let hi ← intField file j path "hi"
  checkBits file (path ++ ".hi") hi 256
  let ex ← intField file j path "exp"
  checkRange file (path ++ ".exp") ex (-256) 0
  return { lo := lo, hi := hi, exp := ex }

def parseExpClaim (claims : Lean.Json) (key : String) : Except CheckError ExpClaim := do
  let file := InputFile.certificate
  let path := "claims." ++ key
  let j ← getField file claims "claims" key
  exactKeys file j path #["rule", "of", "exp", "lo", "hi"] #[]
  expectRule j path "exp-enclosure"
  let ofName ← strField file j path "of"
  if ofName != "EQKE" && ofName != "EQKP" then
    throw (CheckError.input file (path ++ ".of") s!"expected 'EQKE' or 'EQKP', got '{ofName}'")
  let ex ← gridField file j path "exp"
  checkGridRange file (path ++ ".exp") ex (-8192) 8192
  let lo ← gridField file j path "lo"
  checkGridBits file (path ++ ".lo") lo 128
  let hi ← gridField file j path "hi"
  checkGridBits file (path ++ ".hi") hi 128
  return { ofName := ofName, exp := ex, lo := lo, hi := hi }

def parseCaseEntry (j : Lean.Json) (path : String) : Except CheckError CaseEntry := do
  let file := InputFile.certificate
  let xs ← asArr file path j
  if xs.size != 4 then
    throw (CheckError.input file path "expected [q, m, c, [k, ...]]")
  let q ← asInt file (path ++ "[0]") (xs[0]!)
  let m ← asInt file (path ++ "[1]") (xs[1]!)
  let c ← asInt file (path ++ "[2]") (xs[2]!)
  let ks ← asIntArray file (path ++ "[3]") (xs[3]!)
  return { q := q, m := m, c := c, tokens := ks }

def parsePrefixEntry (j : Lean.Json) (path : String) : Except CheckError PrefixEntry := do
  let xs ← asIntArray InputFile.certificate path j
  if xs.size != 5 then
    throw (CheckError.input InputFile.certificate path "expected [q, m, c, kp, kn]")
  return { q := xs[0]!, m := xs[1]!, c := xs[2]!, kp := xs[3]!, kn := xs[4]! }

/-- `claims.cases` of a cubic certificate, by its `rule` (Python: the tagged union of `CubicCases` and
`CubicPrefixCases`; which rule a version may use is `checkVersionFeatures`'s). -/
def parseCubicCases (claims : Lean.Json) : Except CheckError CubicCases := do
  let file := InputFile.certificate
  let path := "claims.cases"
  let j ← getField file claims "claims" "cases"
  if !isObject j then
    throw (CheckError.input file path "expected a JSON object")
  let rule : String := (optStr j "rule").getD ""
  let ruleText : String := showJson (optField j "rule")
  if rule != "cubic-case" && rule != "cubic-prefix" then
    throw (CheckError.input file (path ++ ".rule") s!"expected 'cubic-case' or 'cubic-prefix', got {ruleText}")
  exactKeys file j path #["rule", "entries"] #[]
  let raw ← asArr file (path ++ ".entries") (← getField file j path "entries")
  if rule == "cubic-case" then
    expectRule j path "cubic-case"
    let mut out : Array CaseEntry := #[]
    let mut i : Nat := 0
    for e in raw do
      let entry ← parseCaseEntry e s!"{path}.entries[{i}]"
      out := out.push entry
      i := i + 1
    return CubicCases.listed out
  else
    expectRule j path "cubic-prefix"
    let mut out : Array PrefixEntry := #[]
    let mut i : Nat := 0
    for e in raw do
      let entry ← parsePrefixEntry e s!"{path}.entries[{i}]"
      out := out.push entry
      i := i + 1
    return CubicCases.boundary out

/-- `claims.residual` (v2, docs §9). Python: `ResidualClaim`. -/
def parseResidualClaim (claims : Lean.Json) : Except CheckError ResidualClaim := do
  let file := InputFile.certificate
  let path := "claims.residual"
  let j ← getField file claims "claims" "residual"
  exactKeys file j path #["rule", "inputs"] #[]
  expectRule j path "inputs-right"
  let inputs ← asIntArray file (path ++ ".inputs") (← getField file j path "inputs")
  return { inputs := inputs }

/-- `claims.wrong` (v2, docs §9). Python: `WrongClaim`. -/
def parseWrongClaim (claims : Lean.Json) : Except CheckError WrongClaim := do
  let file := InputFile.certificate
  let path := "claims.wrong"
  let j ← getField file claims "claims" "wrong"
  exactKeys file j path #["rule", "inputs", "witness"] #[]
  expectRule j path "inputs-wrong"
  let inputs ← asIntArray file (path ++ ".inputs") (← getField file j path "inputs")
  let witness ← asIntArray file (path ++ ".witness") (← getField file j path "witness")
  return { inputs := inputs, witness := witness }

/-- `residual` if present (or required). A present `null` is malformed, as in Python. -/
def parseOptResidual (claims : Lean.Json) (required : Bool) : Except CheckError (Option ResidualClaim) :=
  if required || (optField claims "residual").isSome then some <$> parseResidualClaim claims
  else Except.ok none

def parseOptWrong (claims : Lean.Json) : Except CheckError (Option WrongClaim) :=
  if (optField claims "wrong").isSome then some <$> parseWrongClaim claims
  else Except.ok none

/-- Python: `CubicClaims` (`residualRequired`: `CubicResidualClaims`, the claims of `cubic+residual`). -/
def parseCubicClaims (claims : Lean.Json) (residualRequired : Bool) : Except CheckError CubicClaims := do
  let base : Array String := #["inv_sqrt_d_head", "exp_eqke", "exp_eqkp", "cases"]
  let required : Array String := if residualRequired then base.push "residual" else base
  let optional : Array String := if residualRequired then #["wrong"] else #["residual", "wrong"]
  exactKeys InputFile.certificate claims "claims" required optional
  let invSqrt ← parseInvSqrtClaim claims
  let expEqke ← parseExpClaim claims "exp_eqke"
  let expEqkp ← parseExpClaim claims "exp_eqkp"
  let cases ← parseCubicCases claims
  let residual ← parseOptResidual claims residualRequired
  let wrong ← parseOptWrong claims
  return { invSqrt := invSqrt, expEqke := expEqke, expEqkp := expEqkp, cases := cases,
           residual := residual, wrong := wrong }

/-! ### Subcubic certificates (docs §7, python/mechproof/tasks/maxk/schema.py `SubcubicClaims`) -/

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
def parseSubcubicParams (p : Lean.Json) : Except CheckError SubcubicParams := do
  let path := "strategy.params"
  exactKeys InputFile.certificate p path #["variant", "eupu", "attention", "qk", "count"] #[]
  let variant ← strField InputFile.certificate p path "variant"
  let eupu ← literalField p path "eupu" subcubicEupu
  let attention ← literalField p path "attention" subcubicAttention
  let qk ← literalField p path "qk" subcubicQk
  let count ← literalField p path "count" subcubicCount
  return { variant := variant, eupu := eupu, attention := attention, qk := qk, count := count }

/-- `strategy.params` of `cubic` and `cubic+residual`: exactly `{}` (Python: `EmptyParams`). -/
def checkNoParams (p : Lean.Json) : Except CheckError Unit :=
  exactKeys InputFile.certificate p "strategy.params" #[] #[]

/-- docs §10: a choice's exponent is at most 2048 in absolute value and its mantissas have at most 1024
bits (Python: `CHOICE_EXP`, `CHOICE_BITS`). -/
def choiceExp : Nat := 2048

def choiceBits : Nat := 1024

/-- Python: `_sized(exp, mants)`. -/
def checkChoiceSize (fld : String) (ex : Int) (ms : Array Int) : Except CheckError Unit := do
  if choiceExp < ex.natAbs then
    throw (CheckError.input InputFile.certificate fld s!"exponent {ex} out of range (limit: |exp| ≤ {choiceExp})")
  for x in ms do
    if choiceBits < bitlen x.natAbs then
      throw (CheckError.input InputFile.certificate fld s!"a mantissa has more than {choiceBits} bits (limit)")

/-- A dyadic `[m, e]` (Python: `DyPair`). -/
def parseDyPair (j : Lean.Json) (path : String) : Except CheckError Dy := do
  let file := InputFile.certificate
  let xs ← asIntArray file path j
  if xs.size != 2 then
    throw (CheckError.input file path s!"expected a dyadic [m, e], got {j.compress}")
  checkChoiceSize path (xs[1]!) #[xs[0]!]
  return Dy.mk (xs[0]!) (xs[1]!)

def parseDyVec (j : Lean.Json) (path : String) : Except CheckError DyVec := do
  let file := InputFile.certificate
  exactKeys file j path #["exp", "mant"] #[]
  let ex ← intField file j path "exp"
  let mant ← asIntArray file (joinField path "mant") (← getField file j path "mant")
  checkChoiceSize path ex mant
  return { exp := ex, mant := mant }

def parseDyMat (j : Lean.Json) (path : String) : Except CheckError DyMat := do
  let file := InputFile.certificate
  exactKeys file j path #["exp", "rows"] #[]
  let ex ← intField file j path "exp"
  let rows ← gridField file j path "rows"
  if choiceExp < ex.natAbs then
    throw (CheckError.input file path s!"exponent {ex} out of range (limit: |exp| ≤ {choiceExp})")
  for r in rows do
    checkChoiceSize path ex r
  return { exp := ex, rows := rows }

def parsePeel (j : Lean.Json) (path : String) : Except CheckError Peel := do
  let file := InputFile.certificate
  exactKeys file j path #["x", "y"] #[]
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

/-- `claims.choices`. Python: `SubcubicChoices` (every key required; `eupu_mu` and `spectral_eps` may
be `null`). -/
def parseSubcubicChoices (claims : Lean.Json) : Except CheckError SubcubicChoices := do
  let file := InputFile.certificate
  let path := "claims.choices"
  let j ← getField file claims "claims" "choices"
  exactKeys file j path #["rule", "key_pos_centre", "eupu_mu", "peels", "centres", "spectral_eps", "avg"] #[]
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
    throw (CheckError.input file path "expected [q, m, c, g]")
  return { q := xs[0]!, m := xs[1]!, c := xs[2]!, g := xs[3]! }

def parseSubcubicCases (claims : Lean.Json) : Except CheckError (Array SubcubicEntry) := do
  let file := InputFile.certificate
  let path := "claims.cases"
  let j ← getField file claims "claims" "cases"
  exactKeys file j path #["rule", "entries"] #[]
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
  exactKeys InputFile.certificate claims "claims" #["inv_sqrt_d_head", "choices", "cases"] #["residual", "wrong"]
  let invSqrt ← parseInvSqrtClaim claims
  let choices ← parseSubcubicChoices claims
  let entries ← parseSubcubicCases claims
  let residual ← parseOptResidual claims false
  let wrong ← parseOptWrong claims
  return { invSqrt := invSqrt, choices := choices, entries := entries, residual := residual, wrong := wrong }

/-- The claims (and parameters) of strategy `name`; the strategies this checker supports are the
alternatives below (Python: `CLAIM_SCHEMAS`, `PARAM_SCHEMAS`). `cubic+residual` is `cubic` with
`residual` required (docs §9). -/
def parseStrategyClaims (name : String) (params : Lean.Json) (claims : Lean.Json) :
    Except CheckError StrategyClaims :=
  match name with
  | "cubic" => do
    let cClaims ← parseCubicClaims claims false
    checkNoParams params
    return StrategyClaims.cubic cClaims
  | "cubic+residual" => do
    let cClaims ← parseCubicClaims claims true
    checkNoParams params
    return StrategyClaims.cubic cClaims
  | "subcubic" => do
    let sClaims ← parseSubcubicClaims claims
    let sParams ← parseSubcubicParams params
    return StrategyClaims.subcubic sParams sClaims
  | other =>
    inputError InputFile.certificate "strategy.name"
      s!"unknown strategy '{other}'; known: ['cubic', 'cubic+residual', 'subcubic']"

/-! ### Induction certificates (docs §11.2, §11.7; python/mechproof/tasks/induction/schema.py) -/

/-- docs §11.7: a claimed bound `L` has `|L| < 2^26` (Python: `CLAIM_BITS`). -/
def claimBits : Nat := 26

/-- The field of a list that should have `want` entries but has `got`: its first missing entry, or the list
itself when it is too long (Python: the location pydantic gives a tuple of the wrong length). -/
def tupleField (path : String) (got want : Nat) : String :=
  if got < want then s!"{path}[{got}]" else path

/-- One case `[[prefix...], [L...]]`. -/
def parseIndCase (j : Lean.Json) (path : String) : Except CheckError IndCase := do
  let file := InputFile.certificate
  let xs ← asArr file path j
  if xs.size != 2 then
    throw (CheckError.input file (tupleField path xs.size 2) "expected [[prefix...], [L...]]")
  let pre ← asIntArray file (path ++ "[0]") (xs[0]!)
  let lam ← asIntArray file (path ++ "[1]") (xs[1]!)
  let mut k : Nat := 0
  for x in lam do
    if claimBits < bitlen x.natAbs then
      throw (CheckError.input file s!"{path}[1][{k}]" s!"claimed bound out of range (limit: |L| < 2^{claimBits})")
    k := k + 1
  return { pre := pre, lam := lam }

/-- One group `[q, i, a, [order...], [case, ...]]`. -/
def parseIndGroup (j : Lean.Json) (path : String) : Except CheckError IndGroup := do
  let file := InputFile.certificate
  let xs ← asArr file path j
  if xs.size != 5 then
    throw (CheckError.input file (tupleField path xs.size 5) "expected [q, i, a, [order...], [case, ...]]")
  let q ← asInt file (path ++ "[0]") (xs[0]!)
  let i ← asInt file (path ++ "[1]") (xs[1]!)
  let a ← asInt file (path ++ "[2]") (xs[2]!)
  let order ← asIntArray file (path ++ "[3]") (xs[3]!)
  let raw ← asArr file (path ++ "[4]") (xs[4]!)
  let mut cases : Array IndCase := #[]
  let mut k : Nat := 0
  for c in raw do
    let c1 ← parseIndCase c s!"{path}[4][{k}]"
    cases := cases.push c1
    k := k + 1
  return { q := q, i := i, a := a, order := order, cases := cases }

/-- `claims.cases` (rule `induction-cases`). Python: `InductionCases`. -/
def parseInductionCases (claims : Lean.Json) : Except CheckError (Array IndGroup) := do
  let file := InputFile.certificate
  let path := "claims.cases"
  let j ← getField file claims "claims" "cases"
  exactKeys file j path #["rule", "entries"] #[]
  expectRule j path "induction-cases"
  let raw ← asArr file (path ++ ".entries") (← getField file j path "entries")
  let mut out : Array IndGroup := #[]
  let mut g : Nat := 0
  for e in raw do
    let entry ← parseIndGroup e s!"{path}.entries[{g}]"
    out := out.push entry
    g := g + 1
  return out

/-- Python: `WindowsClaims` (`residualRequired`: `WindowsResidualClaims`). -/
def parseInductionClaims (claims : Lean.Json) (residualRequired : Bool) : Except CheckError InductionClaims := do
  let required : Array String := if residualRequired then #["cases", "residual"] else #["cases"]
  let optional : Array String := if residualRequired then #["wrong"] else #["residual", "wrong"]
  exactKeys InputFile.certificate claims "claims" required optional
  let entries ← parseInductionCases claims
  let residual ← parseOptResidual claims residualRequired
  let wrong ← parseOptWrong claims
  return { entries := entries, residual := residual, wrong := wrong }

/-- `strategy.params` `{"depth": D}` with `D` an integer (its sign is the checker's: `checkInduction`).
Python: `WindowsParams`. -/
def parseDepth (p : Lean.Json) : Except CheckError Int := do
  exactKeys InputFile.certificate p "strategy.params" #["depth"] #[]
  intField InputFile.certificate p "strategy.params" "depth"

/-- The claims and parameters of an induction strategy (Python: `schema.CLAIM_SCHEMAS`, `PARAM_SCHEMAS`;
claims first, as `load_certificate` validates them first). -/
def parseInductionStrategyClaims (name : String) (params : Lean.Json) (claims : Lean.Json) :
    Except CheckError StrategyClaims :=
  match name with
  | "windows" => do
    let iClaims ← parseInductionClaims claims false
    let depth ← parseDepth params
    return StrategyClaims.induction depth iClaims
  | "windows+residual" => do
    let iClaims ← parseInductionClaims claims true
    let depth ← parseDepth params
    return StrategyClaims.induction depth iClaims
  | other =>
    inputError InputFile.certificate "strategy.name"
      s!"unknown strategy '{other}' for task induction; known: ['windows', 'windows+residual']"

/-- The rule name of cubic `cases`. -/
def CubicCases.rule (cases : CubicCases) : String :=
  match cases with
  | CubicCases.listed _ => "cubic-case"
  | CubicCases.boundary _ => "cubic-prefix"

/-- The `cases` rule of cubic claims (none for subcubic). -/
def cubicCasesRule (claims : StrategyClaims) : Option String :=
  match claims with
  | StrategyClaims.cubic c => some c.cases.rule
  | StrategyClaims.subcubic _ _ => none
  | StrategyClaims.induction _ _ => none

/-- Whether `residual` and `wrong` are present. -/
def inputClaimsPresent (claims : StrategyClaims) : Bool × Bool :=
  match claims with
  | StrategyClaims.cubic c => (c.residual.isSome, c.wrong.isSome)
  | StrategyClaims.subcubic _ s => (s.residual.isSome, s.wrong.isSome)
  | StrategyClaims.induction _ c => (c.residual.isSome, c.wrong.isSome)

/-- docs: version 1 has none of the v2 features; version 2 encodes cubic cases as `cubic-prefix`;
`bound.upper` is present exactly when `wrong` is. Python: `_version_features`. -/
def checkVersionFeatures (version : Int) (name : String) (claims : StrategyClaims) (upper : Option Int) :
    Except CheckError Unit := do
  let file := InputFile.certificate
  let present : Bool × Bool := inputClaimsPresent claims
  if version == 1 then
    if name != "cubic" && name != "subcubic" then
      throw (CheckError.input file "strategy.name" s!"'{name}' needs version 2")
    if upper.isSome then
      throw (CheckError.input file "bound.upper" "an upper bound needs version 2")
    if present.1 || present.2 then
      throw (CheckError.input file "claims" "residual/wrong claims need version 2")
  let want : String := if version == 1 then "cubic-case" else "cubic-prefix"
  let got : Option String := cubicCasesRule claims
  let gotText : String := got.getD "none"
  if got.isSome && got != some want then
    throw (CheckError.input file "claims.cases.rule"
      s!"version {version} cubic cases use rule '{want}', got '{gotText}'")
  if upper.isSome != present.2 then
    throw (CheckError.input file "bound.upper" "present exactly when the `wrong` claim is (docs §3)")

/-- `bound.upper`, if present (an integer; `null` is malformed). -/
def optIntField (file : InputFile) (j : Lean.Json) (path key : String) : Except CheckError (Option Int) :=
  if (optField j key).isSome then some <$> intField file j path key
  else Except.ok none

/-- Read and validate a certificate. Python: `load_certificate`. -/
def parseCertificate (text : String) : Except CheckError Certificate := do
  let file := InputFile.certificate
  let doc ← parseJson file text
  if !isObject doc then
    throw (CheckError.input file "(top level)" "expected a JSON object")
  let formatText := showJson (optField doc "format")
  if optStr doc "format" != some "mechproof-certificate" then
    throw (CheckError.input file "format" s!"expected 'mechproof-certificate', got {formatText}")
  let versionText := showJson (optField doc "version")
  let version : Int := (optInt doc "version").getD 0
  if !(version == 1 || version == 2 || version == 3) then
    throw (CheckError.input file "version"
      s!"expected the integer 1, 2 or 3 (this checker reads [1, 2, 3]), got {versionText}")
  let hasTask : Bool := (optField doc "task").isSome
  let mut task : String := "maxk"
  if version == 3 then
    if !hasTask then
      throw (CheckError.input file "task" "missing (version 3 names its task)")
    task := (optStr doc "task").getD ""
    if !memStr taskNames task then
      throw (CheckError.input file "task" s!"expected one of {strList taskNames}, got {showJson (optField doc "task")}")
  else if hasTask then
    throw (CheckError.input file "task"
      "unknown key for this version (versions 1 and 2 are Max-of-K; a `task` needs version 3)")
  let cfg ← parseTaskConfig file task (← getField file doc "" "config") "config"
  let topKeys : Array String := #["format", "version", "model", "config", "strategy", "claims", "bound"]
  exactKeys file doc "" (if version == 3 then topKeys.push "task" else topKeys) #[]
  let model ← getField file doc "" "model"
  exactKeys file model "model" #["weights", "sha256"] #[]
  let weightsRel ← strField file model "model" "weights"
  if !validWeightsPath weightsRel then
    throw (CheckError.input file "model.weights"
      "must be a relative path inside the certificate's folder (A-Z a-z 0-9 . _ - and '/', no '.' or '..' parts)")
  let sha ← strField file model "model" "sha256"
  let strategy ← getField file doc "" "strategy"
  exactKeys file strategy "strategy" #["name", "params"] #[]
  let name ← strField file strategy "strategy" "name"
  let params ← getField file strategy "strategy" "params"
  if !isObject params then
    throw (CheckError.input file "strategy.params" s!"expected an object, got {params.compress}")
  let claimsDoc ← getField file doc "" "claims"
  if !isObject claimsDoc then
    throw (CheckError.input file "claims" "expected a JSON object")
  let bound ← getField file doc "" "bound"
  exactKeys file bound "bound" #["correct", "total"] #["upper"]
  let correct ← intField file bound "bound" "correct"
  let total ← intField file bound "bound" "total"
  let upper ← optIntField file bound "bound" "upper"
  if task == "induction" then
    let claims ← parseInductionStrategyClaims name params claimsDoc
    if upper.isSome != (inputClaimsPresent claims).2 then
      throw (CheckError.input file "bound.upper" "present exactly when the `wrong` claim is (docs §3)")
    return { version := version, task := task, weightsRel := weightsRel, sha256 := sha, cfg := cfg,
             strategyName := name, claims := claims, boundCorrect := correct, boundTotal := total,
             boundUpper := upper }
  let claims ← parseStrategyClaims name params claimsDoc
  checkVersionFeatures version name claims upper
  return { version := version, task := task, weightsRel := weightsRel, sha256 := sha, cfg := cfg, strategyName := name,
           claims := claims, boundCorrect := correct, boundTotal := total, boundUpper := upper }

end MechProof

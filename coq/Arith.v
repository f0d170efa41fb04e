(** Exact dyadic arithmetic over an [INT] instance, and the small list helpers of the checker.

    A dyadic is a pair [(m, e)] of a mantissa [m : I.t] and an exponent [e : Z], with value [m·2^e]
    ([dyR I.to_Z], through [Dval.dval]). Mirrors [python/mechproof/checker/arith.py] and
    [lean/MechProof/Arith.lean]: sums are formed at the smaller exponent, nothing is rounded.
    Exponents are small ([Z]); mantissas grow ([I.t]). *)
From Coq Require Import ZArith Reals List.
From MechProof Require Import Int Dval.
Import ListNotations.
Local Open Scope Z_scope.

(** ** Index lists (no [I]): the checker counts tokens and positions in [Z]. *)

Fixpoint zseq_from (k : Z) (count : nat) : list Z :=
  match count with O => [] | S c => k :: zseq_from (Z.succ k) c end.

(** [[0; 1; …; n − 1]] (empty when [n ≤ 0]). *)
Definition zseq (n : Z) : list Z := zseq_from 0 (Z.to_nat n).

(** The length of a list, in [Z] (a list may be long: no unary [nat]). *)
Definition lenZ {A} (l : list A) : Z := fold_left (fun n _ => Z.succ n) l 0.

(** [(i, l[i])] for every [i]. *)
Fixpoint indexed_from {A} (k : Z) (l : list A) : list (Z * A) :=
  match l with [] => [] | x :: r => (k, x) :: indexed_from (Z.succ k) r end.
Definition indexed {A} (l : list A) : list (Z * A) := indexed_from 0 l.

(** [l] without its entry at index [k]. *)
Definition drop_at {A} (k : Z) (l : list A) : list A :=
  map snd (filter (fun ix => negb (fst ix =? k)) (indexed l)).

(** The number of entries satisfying [f], in [Z]. *)
Definition countZ {A} (f : A -> bool) (l : list A) : Z :=
  fold_left (fun n x => if f x then Z.succ n else n) l 0.

(** [map2 f [a…] [b…]], cut to the shorter list. *)
Fixpoint map2 {A B C} (f : A -> B -> C) (a : list A) (b : list B) : list C :=
  match a, b with x :: a', y :: b' => f x y :: map2 f a' b' | _, _ => [] end.

(** Does every list of [l] have [n] entries? *)
Definition all_lengths {A} (n : Z) (l : list (list A)) : bool := forallb (fun r => lenZ r =? n) l.

(** [l] cut into [rows] rows of [cols] entries (row-major). *)
Fixpoint chunks {A} (rows cols : nat) (l : list A) : list (list A) :=
  match rows with O => [] | S r => firstn cols l :: chunks r cols (skipn cols l) end.

(** The real value of a dyadic [(m, e)] with a mantissa of any type [T] read as an integer by [toZ]
    (for [I.t], [toZ] is [I.to_Z]). Outside the functor: the checker never uses it. *)
Definition dyR {T : Type} (toZ : T -> Z) (x : T * Z) : R := dval (toZ (fst x)) (snd x).

Module Arith (I : INT).

  (** ** Integers *)
  Definition imax (a b : I.t) : I.t := if I.ltb a b then b else a.
  Definition imin (a b : I.t) : I.t := if I.ltb b a then b else a.
  (** The largest entry of a non-empty list (0 for the empty list). *)
  Definition list_max (l : list I.t) : I.t :=
    match l with [] => I.zero | x :: r => fold_left imax r x end.
  Definition isum (l : list I.t) : I.t := fold_left I.add l I.zero.
  (** [x·2^k] for [k ≥ 0]. *)
  Definition shl (x : I.t) (k : Z) : I.t := I.shiftl x (I.of_Z k).
  (** [b^k] *)
  Definition ipow (b : I.t) (k : nat) : I.t := Nat.iter k (I.mul b) I.one.

  (** ** Dyadics *)
  Definition dy : Type := I.t * Z.
  Definition dy_of (m e : Z) : dy := (I.of_Z m, e).
  Definition dy_zero : dy := (I.zero, 0).

  (** Exact sum, at the smaller exponent. *)
  Definition dy_add (x y : dy) : dy :=
    let (a, e) := x in let (b, f) := y in
    if e <=? f then (I.add a (shl b (f - e)), e) else (I.add (shl a (e - f)) b, f).
  Definition dy_opp (x : dy) : dy := (I.opp (fst x), snd x).
  Definition dy_sub (x y : dy) : dy := dy_add x (dy_opp y).
  Definition dy_mul (x y : dy) : dy := (I.mul (fst x) (fst y), snd x + snd y).

  (** Signs and comparisons, read off the mantissa. *)
  Definition dy_nonneg (x : dy) : bool := I.leb I.zero (fst x).
  Definition dy_neg (x : dy) : bool := I.ltb (fst x) I.zero.
  Definition dy_lt (x y : dy) : bool := dy_neg (dy_sub x y).
  Definition dy_le (x y : dy) : bool := negb (dy_lt y x).
  Definition dy_eqb (x y : dy) : bool := I.eqb (fst (dy_sub x y)) I.zero.
  Definition dy_max (x y : dy) : dy := if dy_lt x y then y else x.
  Definition dy_sum (xs : list dy) : dy := fold_left dy_add xs dy_zero.

  (** Mantissas of [xs] at the common exponent [e ≤] each of theirs. *)
  Definition align (e : Z) (xs : list dy) : list I.t := map (fun x => shl (fst x) (snd x - e)) xs.
  (** The smallest exponent of [xs] (0 for none). *)
  Definition min_exp (xs : list dy) : Z :=
    match xs with [] => 0 | x :: r => fold_left (fun e y => Z.min e (snd y)) r (snd x) end.
End Arith.

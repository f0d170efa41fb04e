(** Tables indexed by integers [i ≥ 0], for the checker's random access: a row of a matrix by token, a
    case by its (q, m, c). A binary trie (Coq's [PositiveMap]): a lookup costs the bit length of the
    index, where [nth] on a list costs the index itself, which matters under [vm_compute] for the
    hundreds of thousands of inputs a certificate may list. Index [i] is stored under the positive
    [i + 1]; negative indices are never stored.

    [get_of_list] is what proofs use: a table built from a list answers as [nth] does. *)
From Coq Require Import ZArith List FMapPositive Lia.
Import ListNotations.
Local Open Scope Z_scope.

Definition table (A : Type) := PositiveMap.t A.

(** The trie key of index [i], or [None] for a negative index. *)
Definition tkey (i : Z) : option positive :=
  match i with Z0 => Some xH | Zpos p => Some (Pos.succ p) | Zneg _ => None end.

Definition find {A} (t : table A) (i : Z) : option A :=
  match tkey i with Some k => PositiveMap.find k t | None => None end.

(** Entry [i], or [d] when there is none. *)
Definition get {A} (t : table A) (i : Z) (d : A) : A :=
  match find t i with Some x => x | None => d end.

Definition set {A} (t : table A) (i : Z) (x : A) : table A :=
  match tkey i with Some k => PositiveMap.add k x t | None => t end.

Definition empty {A} : table A := PositiveMap.empty A.

Fixpoint of_list_from {A} (k : positive) (l : list A) (t : table A) : table A :=
  match l with
  | [] => t
  | x :: r => of_list_from (Pos.succ k) r (PositiveMap.add k x t)
  end.

(** Entry [i] of [of_list l] is [nth i l]. *)
Definition of_list {A} (l : list A) : table A := of_list_from xH l empty.

(** ** Facts *)

Lemma tkey_of_nat (i : nat) : tkey (Z.of_nat i) = Some (Pos.of_succ_nat i).
Proof. destruct i; reflexivity. Qed.

Lemma find_of_list_from {A} (l : list A) : forall (k p : positive) (t : table A),
  PositiveMap.find p (of_list_from k l t) =
  if (Pos.to_nat p <? Pos.to_nat k)%nat then PositiveMap.find p t
  else match nth_error l (Pos.to_nat p - Pos.to_nat k) with
       | Some x => Some x
       | None => PositiveMap.find p t
       end.
Proof.
  induction l as [|x r IH]; intros k p t; simpl.
  - destruct (Pos.to_nat p <? Pos.to_nat k)%nat; [reflexivity|].
    destruct (Pos.to_nat p - Pos.to_nat k)%nat; reflexivity.
  - rewrite IH. rewrite Pos2Nat.inj_succ.
    destruct (Pos.eq_dec p k) as [->|ne].
    + rewrite Nat.ltb_irrefl. replace (Pos.to_nat k <? S (Pos.to_nat k))%nat with true
        by (symmetry; apply Nat.ltb_lt; lia).
      rewrite PositiveMap.gss, Nat.sub_diag. reflexivity.
    + rewrite PositiveMap.gso by exact ne.
      assert (Pos.to_nat p <> Pos.to_nat k) by (intro E; apply ne, Pos2Nat.inj, E).
      destruct (Nat.ltb_spec (Pos.to_nat p) (S (Pos.to_nat k))) as [h|h];
      destruct (Nat.ltb_spec (Pos.to_nat p) (Pos.to_nat k)) as [h'|h']; try lia; try reflexivity.
      replace (Pos.to_nat p - Pos.to_nat k)%nat with (S (Pos.to_nat p - S (Pos.to_nat k))) by lia.
      reflexivity.
Qed.

Lemma get_of_list {A} (l : list A) (i : Z) (d : A) : 0 <= i -> get (of_list l) i d = nth (Z.to_nat i) l d.
Proof.
  intro Hi. unfold get, find, of_list.
  rewrite <- (Z2Nat.id i Hi) at 1. rewrite tkey_of_nat.
  rewrite find_of_list_from. rewrite SuccNat2Pos.id_succ.
  replace (S (Z.to_nat i) <? Pos.to_nat 1)%nat with false by (symmetry; apply Nat.ltb_ge; simpl; lia).
  replace (S (Z.to_nat i) - Pos.to_nat 1)%nat with (Z.to_nat i) by (simpl; lia).
  destruct (nth_error l (Z.to_nat i)) eqn:E.
  - symmetry. now apply nth_error_nth with (1 := E).
  - rewrite PositiveMap.gempty. symmetry. apply nth_overflow, nth_error_None, E.
Qed.

(** The checker's matrix operations (Matrices.v) compute exact products: [den rs e r c f] says that the
    rows [rs] at exponent [e] form an [r × c] matrix whose entry (i, j) denotes the real [f i j]
    (through [dval]). Proven here, for the checker instance [K]: a weight tensor cut into rows denotes
    Model.v's [entry] ([den_tensor]), and [mul_nt], [matmul], [add_row], [scale] denote the real
    product, sum and rescaling ([den_mul_nt], [den_matmul], [den_add_row], [den_scale]). Used by
    MatricesSound.v for docs/certificate.md §2. *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval RealSums Arith Model Matrices Statement UBound.
Import ListNotations.

(** ** List facts (no integers) *)

Lemma lenZ_length {A} (l : list A) : lenZ l = Z.of_nat (length l).
Proof.
  unfold lenZ. assert (H : forall a, fold_left (fun n _ => Z.succ n) l a = (a + Z.of_nat (length l))%Z).
  { induction l as [|x l IH]; intros a; simpl; [lia|]. rewrite IH. lia. }
  rewrite H. lia.
Qed.

Lemma nth_firstn_lt {A} (c j : nat) (l : list A) d : (j < c)%nat -> nth j (firstn c l) d = nth j l d.
Proof.
  revert j l. induction c as [|c IH]; intros j l Hj; [lia|].
  destruct l as [|x l]; [destruct j; reflexivity|]. destruct j as [|j]; [reflexivity|].
  simpl. apply IH. lia.
Qed.

Lemma nth_skipn_add {A} (c i : nat) (l : list A) d : nth i (skipn c l) d = nth (c + i) l d.
Proof.
  revert l. induction c as [|c IH]; intros l; [reflexivity|].
  destruct l as [|x l]; [destruct i; reflexivity|]. apply IH.
Qed.

Lemma chunks_length {A} (r c : nat) (l : list A) : length (chunks r c l) = r.
Proof. revert l. induction r as [|r IH]; intros l; simpl; auto. Qed.

Lemma chunks_rows {A} (r c : nat) (l : list A) :
  length l = (r * c)%nat -> Forall (fun row => length row = c) (chunks r c l).
Proof.
  revert l. induction r as [|r IH]; intros l Hl; simpl; constructor.
  - rewrite firstn_length. lia.
  - apply IH. rewrite skipn_length. lia.
Qed.

Lemma nth_chunks {A} (r c : nat) (l : list A) (i j : nat) (d : A) :
  (i < r)%nat -> (j < c)%nat -> nth j (nth i (chunks r c l) []) d = nth (i * c + j) l d.
Proof.
  revert l i. induction r as [|r IH]; intros l i Hi Hj; [lia|]. simpl.
  destruct i as [|i].
  - apply nth_firstn_lt. exact Hj.
  - rewrite IH by lia. rewrite nth_skipn_add. f_equal. lia.
Qed.

(** [nth] of a [map] inside the list, whatever the defaults. *)
Lemma nth_map_in {A B} (f : A -> B) (l : list A) (i : nat) da db :
  (i < length l)%nat -> nth i (map f l) db = f (nth i l da).
Proof. intros Hi. rewrite (nth_indep _ db (f da)) by (rewrite map_length; exact Hi). apply map_nth. Qed.

Lemma Forall_nth_len {A} (c : nat) (rs : list (list A)) (i : nat) :
  Forall (fun row => length row = c) rs -> (i < length rs)%nat -> length (nth i rs []) = c.
Proof. intros H Hi. rewrite Forall_forall in H. apply H, nth_In, Hi. Qed.

Module MatrixLemmas (I : INT) (K : CHECK I).
Import K.
Local Open Scope R_scope.

(** ** Integers *)

Lemma to_Z_nth_of_Z (l : list Z) (k : nat) : I.to_Z (nth k (map I.of_Z l) I.zero) = nth k l 0%Z.
Proof.
  revert k. induction l as [|x l IH]; intros [|k]; simpl; auto using I.spec_0, I.spec_of_Z.
Qed.

(** [shl x k] is [x·2^k] (k ≥ 0): the same value at an exponent lowered by k. *)
Lemma dval_shl (x : I.t) (k e : Z) : (0 <= k)%Z -> dval (I.to_Z (shl x k)) e = dval (I.to_Z x) (e + k).
Proof.
  intros Hk. unfold shl. rewrite I.spec_shiftl, I.spec_of_Z, Z.shiftl_mul_pow2 by exact Hk.
  apply dval_shift, Hk.
Qed.

Lemma dval_shl_to (x : I.t) (e e' : Z) : (e' <= e)%Z -> dval (I.to_Z (shl x (e - e'))) e' = dval (I.to_Z x) e.
Proof. intros H. rewrite dval_shl by lia. f_equal. lia. Qed.

(** ** Denotation of a matrix *)

Definition den (rs : list (list I.t)) (e : Z) (r c : nat) (f : nat -> nat -> R) : Prop :=
  length rs = r /\ Forall (fun row => length row = c) rs /\
  forall i j, (i < r)%nat -> (j < c)%nat -> dval (I.to_Z (nth j (nth i rs []) I.zero)) e = f i j.

Lemma den_ext rs e r c f g :
  den rs e r c f -> (forall i j, (i < r)%nat -> (j < c)%nat -> f i j = g i j) -> den rs e r c g.
Proof. intros (H1 & H2 & H3) H. repeat split; auto. intros i j Hi Hj. rewrite H3; auto. Qed.

(** A weight tensor of [r × c] mantissas, cut into rows. *)
Lemma den_tensor (t : tensor) (r c : nat) :
  length (mantissas t) = (r * c)%nat ->
  den (rows (tensor_mat t r c)) (exponent t) r c (fun i j => entry t c i j).
Proof.
  intros Hl. unfold tensor_mat; simpl. repeat split.
  - apply chunks_length.
  - apply chunks_rows. rewrite map_length. exact Hl.
  - intros i j Hi Hj. rewrite nth_chunks by assumption. rewrite to_Z_nth_of_Z. reflexivity.
Qed.

(** Σ_l a_l·b_l, exactly. *)
Lemma dot_from_IZR (acc : I.t) (a b : list I.t) : length a = length b ->
  IZR (I.to_Z (dot_from acc a b)) =
  IZR (I.to_Z acc) + rsum (fun l => IZR (I.to_Z (nth l a I.zero)) * IZR (I.to_Z (nth l b I.zero))) (seq 0 (length a)).
Proof.
  revert acc b. induction a as [|x a IH]; intros acc [|y b] Hl; cbn [dot_from length] in *; try lia.
  - cbn. ring.
  - rewrite IH by lia. rewrite I.spec_add, I.spec_mul, plus_IZR, mult_IZR. cbn [seq]. rewrite rsum_cons.
    rewrite <- seq_shift, rsum_map. cbn [nth]. ring.
Qed.

Lemma dval_dot (a b : list I.t) (ea eb : Z) : length a = length b ->
  dval (I.to_Z (dot a b)) (ea + eb) =
  rsum (fun l => dval (I.to_Z (nth l a I.zero)) ea * dval (I.to_Z (nth l b I.zero)) eb) (seq 0 (length a)).
Proof.
  intros Hl. unfold dot, dval. rewrite dot_from_IZR by exact Hl.
  rewrite I.spec_0, Rplus_0_l, powerRZ_2_add, <- rsum_scal_r. apply rsum_ext. intros l. ring.
Qed.

(** a·bᵀ *)
Lemma den_mul_nt (a b : mat) (r c k : nat) f g :
  den (rows a) (mexp a) r k f -> den (rows b) (mexp b) c k g ->
  den (rows (mul_nt a b)) (mexp (mul_nt a b)) r c (fun i j => rsum (fun l => f i l * g j l) (seq 0 k)).
Proof.
  intros (Ha1 & Ha2 & Ha3) (Hb1 & Hb2 & Hb3). unfold mul_nt; simpl. repeat split.
  - rewrite map_length. exact Ha1.
  - apply Forall_map. apply Forall_forall. intros row _. rewrite map_length. exact Hb1.
  - intros i j Hi Hj. rewrite (nth_map_in _ _ _ []) by lia. rewrite (nth_map_in _ _ _ []) by lia.
    assert (La : length (nth i (rows a) []) = k) by (apply Forall_nth_len; auto; lia).
    assert (Lb : length (nth j (rows b) []) = k) by (apply Forall_nth_len; auto; lia).
    rewrite dval_dot by congruence. rewrite La. apply rsum_ext_in. intros l Hl.
    apply in_seq in Hl. rewrite Ha3, Hb3 by lia. reflexivity.
Qed.

(** The columns of a list of rows of [c] entries. *)
Lemma fold_transpose (c : nat) (rs : list (list I.t)) (init : list (list I.t)) :
  Forall (fun row => length row = c) rs -> length init = c ->
  length (fold_right (map2 cons) init rs) = c /\
  forall j, (j < c)%nat -> nth j (fold_right (map2 cons) init rs) [] = map (fun row => nth j row I.zero) rs ++ nth j init [].
Proof.
  intros Hr Hi. induction rs as [|row rs IH]; simpl.
  - split; auto.
  - inversion Hr as [|? ? Hrow Hrs]; subst. destruct (IH Hrs) as [L N]. split.
    + rewrite length_map2, L, Hrow. lia.
    + intros j Hj. rewrite (nth_map2 _ _ _ _ I.zero []) by lia. rewrite N by exact Hj. reflexivity.
Qed.

Lemma transpose_spec (c : nat) (rs : list (list I.t)) :
  rs <> [] -> Forall (fun row => length row = c) rs ->
  length (transpose rs) = c /\
  forall j, (j < c)%nat -> nth j (transpose rs) [] = map (fun row => nth j row I.zero) rs.
Proof.
  intros Hne Hr. destruct rs as [|r0 rs']; [congruence|]. unfold transpose.
  assert (L0 : length (map (fun _ : I.t => @nil I.t) r0) = c).
  { rewrite map_length. inversion Hr; auto. }
  destruct (fold_transpose c _ _ Hr L0) as [L N]. split; [exact L|].
  intros j Hj. rewrite N by exact Hj. rewrite (nth_map_in _ _ _ I.zero) by (rewrite <- L0 in Hj; rewrite map_length in Hj; exact Hj).
  apply app_nil_r.
Qed.

(** a·b, for an inner dimension k ≥ 1 (the columns of b are read off its rows). *)
Lemma den_matmul (a b : mat) (r k c : nat) f g :
  (1 <= k)%nat -> den (rows a) (mexp a) r k f -> den (rows b) (mexp b) k c g ->
  den (rows (matmul a b)) (mexp (matmul a b)) r c (fun i j => rsum (fun l => f i l * g l j) (seq 0 k)).
Proof.
  intros Hk Ha (Hb1 & Hb2 & Hb3). unfold matmul.
  apply (den_mul_nt a {| rows := transpose (rows b); mexp := mexp b |} r c k f (fun j l => g l j) Ha).
  simpl. assert (Hne : rows b <> []) by (intros E; rewrite E in Hb1; simpl in Hb1; lia).
  destruct (transpose_spec c (rows b) Hne Hb2) as [L N]. repeat split.
  - exact L.
  - apply Forall_forall. intros col Hin. apply In_nth with (d := []) in Hin as (j & Hj & <-).
    rewrite N by lia. rewrite map_length. exact Hb1.
  - intros j l Hj Hl. rewrite N by exact Hj. rewrite (nth_map_in _ _ _ []) by lia. apply Hb3; assumption.
Qed.

(** a + row, the row added to every row of a. *)
Lemma den_add_row (a : mat) (row : list I.t) (re : Z) (r c : nat) f g :
  den (rows a) (mexp a) r c f -> length row = c ->
  (forall j, (j < c)%nat -> dval (I.to_Z (nth j row I.zero)) re = g j) ->
  den (rows (add_row a row re)) (mexp (add_row a row re)) r c (fun i j => f i j + g j).
Proof.
  intros (Ha1 & Ha2 & Ha3) Hl Hg. unfold add_row; simpl. repeat split.
  - rewrite map_length. exact Ha1.
  - apply Forall_map. rewrite Forall_forall in *. intros rr Hin. rewrite length_map2, Ha2, Hl by exact Hin. lia.
  - intros i j Hi Hj. rewrite (nth_map_in _ _ _ []) by lia.
    assert (La : length (nth i (rows a) []) = c) by (apply Forall_nth_len; auto; lia).
    rewrite (nth_map2 _ _ _ _ I.zero I.zero) by lia. rewrite I.spec_add, dval_add.
    rewrite !dval_shl_to by lia. rewrite Ha3, Hg by assumption. reflexivity.
Qed.

(** The entries at a smaller exponent. *)
Lemma den_scale (a : mat) (e : Z) (r c : nat) f :
  (e <= mexp a)%Z -> den (rows a) (mexp a) r c f -> den (K.Cu.In.Mx.scale a e) e r c f.
Proof.
  intros He (Ha1 & Ha2 & Ha3). unfold K.Cu.In.Mx.scale. repeat split.
  - rewrite map_length. exact Ha1.
  - apply Forall_map. rewrite Forall_forall in *. intros rr Hin. rewrite map_length. auto.
  - intros i j Hi Hj. rewrite (nth_map_in _ _ _ []) by lia.
    assert (La : length (nth i (rows a) []) = c) by (apply Forall_nth_len; auto; lia).
    rewrite (nth_map_in _ _ _ I.zero) by lia. rewrite dval_shl_to by exact He. apply Ha3; assumption.
Qed.

End MatrixLemmas.

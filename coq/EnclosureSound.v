(** The enclosures of exp(score) (docs/certificate.md §4.1, §4.2, §8; coq-plan lemma 2):
    - [inv_sqrt_sound]: the [inv_sqrt_d_head] claim, once checked, encloses 1/√d_head;
    - [enclose_sound]: the checker's own enclosure [enclose r a] of one entry a contains exp(a/√d),
      from the exp enclosure of §6 (ExpSound.v) applied to the checker's own [Exp] instance;
    - [own_sound]: so does every entry of [enclose_mat] of a matrix that denotes reals;
    - [claimed_sound]: a checked [exp-enclosure] claim ([enclosure_shape], [enclosure_ok]) contains
      what the own enclosure contains, entry by entry, and its lower ends are ≥ 0. *)
From Coq Require Import ZArith Reals Lra Lia List.
From MechProof Require Import Int Dval RealSums BoxBound Arith Exp ExpSound Model Cert Matrices Check Statement
  MatrixLemmas UBound DyadicSound.
Import ListNotations.

(** s·s·d ≤ 1 ⇒ s ≤ 1/√d and 1 ≤ s·s·d ⇒ 1/√d ≤ s, for s ≥ 0 and d > 0. *)
Lemma sq_le_inv_sqrt (s d : R) : (0 < d -> 0 <= s -> s * s * d <= 1 -> s <= / sqrt d)%R.
Proof.
  intros Hd Hs H. rewrite <- sqrt_inv. rewrite <- (sqrt_square s Hs). apply sqrt_le_1_alt.
  apply (Rmult_le_reg_r d); [exact Hd|]. rewrite Rinv_l by lra. exact H.
Qed.

Lemma inv_sqrt_le_sq (s d : R) : (0 < d -> 0 <= s -> 1 <= s * s * d -> / sqrt d <= s)%R.
Proof.
  intros Hd Hs H. rewrite <- sqrt_inv. rewrite <- (sqrt_square s Hs). apply sqrt_le_1_alt.
  apply (Rmult_le_reg_r d); [exact Hd|]. rewrite Rinv_l by lra. exact H.
Qed.

Module EnclosureSound (I : INT) (Import K : CHECK I).
Module Export DS := DyadicSound I K.
Module ES := ExpSoundOf I K.Cu.In.Ex.
Module ML := MatrixLemmas I K.
Local Open Scope R_scope.
Local Open Scope bool_scope.

(** ** §4.1 *)

Lemma dval_sq_d (m e d : Z) : (e <= 0)%Z ->
  dval m e * dval m e * IZR d = IZR (m * m * d) / IZR (2 ^ (-2 * e)).
Proof.
  intros He. unfold dval. rewrite IZR_pow2 by lia. rewrite !mult_IZR.
  replace (powerRZ 2 (-2 * e)) with (/ (powerRZ 2 e * powerRZ 2 e)).
  - pose proof (powerRZ_2_pos e). field. lra.
  - rewrite <- powerRZ_2_add, <- powerRZ_neg'. f_equal. lia.
Qed.

Theorem inv_sqrt_sound (c : inv_sqrt_claim) (d : Z) (r : ival) :
  (1 <= d)%Z -> check_inv_sqrt c d = Some r ->
  0 < val (fst r) /\ val (fst r) <= / sqrt (IZR d) <= val (snd r).
Proof.
  intros Hd. unfold check_inv_sqrt.
  destruct ((is_exp c <=? 0)%Z && (0 <? is_lo c)%Z && (is_lo c <=? is_hi c)%Z) eqn:H1; [|discriminate].
  repeat rewrite Bool.andb_true_iff in H1. destruct H1 as [[He Hlo] Hlh].
  apply Z.leb_le in He. apply Z.ltb_lt in Hlo. apply Z.leb_le in Hlh.
  rewrite !I.spec_leb, !I.spec_mul, !I.spec_of_Z, shl_spec, I.spec_1 by lia.
  destruct ((is_lo c * is_lo c * d <=? 1 * 2 ^ (-2 * is_exp c))%Z &&
            (1 * 2 ^ (-2 * is_exp c) <=? is_hi c * is_hi c * d)%Z) eqn:H2; [|discriminate].
  intros Hr. injection Hr as <-. apply Bool.andb_true_iff in H2 as [H2 H3].
  apply Z.leb_le in H2, H3. rewrite Z.mul_1_l in H2, H3. unfold val, dyR; simpl. rewrite !I.spec_of_Z.
  assert (Hd' : 0 < IZR d) by (apply IZR_lt; lia).
  assert (Hp : 0 < IZR (2 ^ (-2 * is_exp c))) by (apply IZR_lt; apply Z.pow_pos_nonneg; lia).
  assert (Hl0 : 0 < dval (is_lo c) (is_exp c)) by (apply dval_pos; lia).
  assert (Hh0 : 0 <= dval (is_hi c) (is_exp c)) by (apply dval_nonneg; lia).
  repeat split.
  - exact Hl0.
  - apply sq_le_inv_sqrt; [exact Hd' | lra |]. rewrite dval_sq_d by exact He.
    apply IZR_le in H2. apply (Rmult_le_reg_r (IZR (2 ^ (-2 * is_exp c)))); [exact Hp|].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l by lra. lra.
  - apply inv_sqrt_le_sq; [exact Hd' | exact Hh0 |]. rewrite dval_sq_d by exact He.
    apply IZR_le in H3. apply (Rmult_le_reg_r (IZR (2 ^ (-2 * is_exp c)))); [exact Hp|].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l by lra. lra.
Qed.

(** ** §8, §4.2: the checker's own enclosure of one entry *)

(** The exp enclosure of §6 at a dyadic. *)
Lemma exp_bounds_dy (x : dy) :
  val (fst (exp_bounds (fst x) (snd x))) <= exp (val x) <= val (snd (exp_bounds (fst x) (snd x))).
Proof.
  pose proof (ES.exp_bounds_sound (fst x) (snd x)) as H. unfold val, dyR.
  destruct (exp_bounds (fst x) (snd x)) as [[lm le] [hm he]]. exact H.
Qed.

Lemma exp_bounds_dy_nonneg (x : dy) : 0 <= val (fst (exp_bounds (fst x) (snd x))).
Proof.
  pose proof (ES.exp_bounds_lo_nonneg (fst x) (snd x)) as H. unfold val, dyR.
  destruct (exp_bounds (fst x) (snd x)) as [[lm le] [hm he]]. exact H.
Qed.

Theorem enclose_sound (r : dy * dy) (a : dy) (lo hi : dy) (s : R) :
  val (fst r) <= s <= val (snd r) -> enclose r a = Some (lo, hi) ->
  0 <= val lo /\ val lo <= exp (val a * s) <= val hi.
Proof.
  intros Hs. unfold enclose.
  pose proof (score_sel (dy_nonneg a) (val a) s (val (fst r)) (val (snd r))) as Hsel.
  assert (Hb : sign_ok (dy_nonneg a) (val a)).
  { unfold sign_ok. destruct (dy_nonneg a) eqn:E.
    - apply dy_nonneg_iff, E.
    - destruct (Rle_lt_dec 0 (val a)) as [H|H]; [apply dy_nonneg_iff in H; congruence | lra]. }
  specialize (Hsel Hb Hs).
  pose proof (exp_bounds_dy (dy_mul a (fst r))) as E1. pose proof (exp_bounds_dy (dy_mul a (snd r))) as E2.
  rewrite !val_mul in E1, E2.
  pose proof (exp_bounds_dy_nonneg (dy_mul a (fst r))) as N1. pose proof (exp_bounds_dy_nonneg (dy_mul a (snd r))) as N2.
  destruct (dy_nonneg a); cbv beta iota zeta in Hsel |- *; unfold dy_mul in E1, E2, N1, N2;
  simpl fst in E1, E2, N1, N2; simpl snd in E1, E2, N1, N2;
  match goal with |- context [if ?c then _ else None] => destruct c; [|discriminate] end;
  intros Hr; injection Hr as <- <-; (split; [lra|]).
  - apply (exp_enclosed _ _ (val a * val (fst r)) (val a * val (snd r))); lra.
  - apply (exp_enclosed _ _ (val a * val (snd r)) (val a * val (fst r))); lra.
Qed.

(** Every entry of [enclose_mat r M], for a matrix M that denotes f. *)
Theorem own_sound (r : dy * dy) (s : R) (M : mat) (nr nc : nat) (f : nat -> nat -> R) :
  val (fst r) <= s <= val (snd r) -> ML.den (Matrices.rows M) (mexp M) nr nc f ->
  forall i j lo hi, (i < nr)%nat -> (j < nc)%nat ->
  nth j (nth i (enclose_mat r M) []) None = Some (lo, hi) -> 0 <= val lo /\ val lo <= exp (f i j * s) <= val hi.
Proof.
  intros Hs (H1 & H2 & H3) i j lo hi Hi Hj. unfold enclose_mat.
  rewrite (nth_map_in _ _ _ []) by lia.
  rewrite (nth_map_in _ _ _ I.zero) by (rewrite (Forall_nth_len nc) by (auto; lia); exact Hj).
  intros He. rewrite <- (H3 i j Hi Hj). exact (enclose_sound r _ lo hi s Hs He).
Qed.

(** The shape of [enclose_mat r M]: that of M. *)
Lemma own_shape (r : dy * dy) (M : mat) (nr nc : nat) f :
  ML.den (Matrices.rows M) (mexp M) nr nc f ->
  length (enclose_mat r M) = nr /\ Forall (fun row => length row = nc) (enclose_mat r M).
Proof.
  intros (H1 & H2 & _). unfold enclose_mat. split; [rewrite map_length; exact H1|].
  apply Forall_map. rewrite Forall_forall in *. intros row Hin. rewrite map_length. auto.
Qed.

(** ** §4.2: a checked claim *)

Lemma all_lengths_spec {A} (c : nat) (l : list (list A)) :
  all_lengths (Z.of_nat c) l = true -> Forall (fun row => length row = c) l.
Proof.
  unfold all_lengths. rewrite forallb_forall, Forall_forall. intros H row Hin.
  specialize (H row Hin). apply Z.eqb_eq in H. rewrite lenZ_length in H. lia.
Qed.

Lemma claimed_shape (c : exp_claim) (nr nc : nat) :
  enclosure_shape c (Z.of_nat nr) (Z.of_nat nc) = true ->
  length (claimed c) = nr /\ Forall (fun row => length row = nc) (claimed c) /\
  forall i j, (i < nr)%nat -> (j < nc)%nat ->
    nth j (nth i (claimed c) []) (dy_zero, dy_zero) =
    ((I.of_Z (nth j (nth i (ec_lo c) []) 0%Z), nth j (nth i (ec_exp c) []) 0%Z),
     (I.of_Z (nth j (nth i (ec_hi c) []) 0%Z), nth j (nth i (ec_exp c) []) 0%Z)).
Proof.
  unfold enclosure_shape. simpl. rewrite !Bool.andb_true_r, !Bool.andb_true_iff, !Z.eqb_eq, !lenZ_length.
  intros [[Llo Alo] [[Lhi Ahi] [Lex Aex]]].
  apply all_lengths_spec in Alo, Ahi, Aex. apply Nat2Z.inj in Llo, Lhi, Lex.
  unfold claimed.
  assert (Lhe : length (map2 (fun h e => combine h e) (ec_hi c) (ec_exp c)) = nr) by (rewrite length_map2; lia).
  repeat split.
  - rewrite length_map2. lia.
  - apply Forall_forall. intros row Hin. apply In_nth with (d := []) in Hin as (i & Hi & <-).
    rewrite length_map2 in Hi. rewrite (nth_map2 _ _ _ _ [] []) by lia.
    rewrite (nth_map2 _ _ _ _ [] []) by lia. rewrite !length_map2, combine_length.
    rewrite !(Forall_nth_len nc) by (auto; lia). lia.
  - intros i j Hi Hj. rewrite (nth_map2 _ _ _ _ [] []) by lia. rewrite (nth_map2 _ _ _ _ [] []) by lia.
    assert (L1 : length (nth i (ec_lo c) []) = nc) by (apply Forall_nth_len; auto; lia).
    assert (L2 : length (nth i (ec_hi c) []) = nc) by (apply Forall_nth_len; auto; lia).
    assert (L3 : length (nth i (ec_exp c) []) = nc) by (apply Forall_nth_len; auto; lia).
    rewrite (nth_map2 _ _ _ _ 0%Z (0%Z, 0%Z)) by (rewrite ?combine_length; lia).
    rewrite combine_nth by lia. reflexivity.
Qed.

(** A claim that passed [enclosure_shape] and [enclosure_ok] against the own enclosures of M encloses
    exp(M[i, j]·s), with a lower end ≥ 0. *)
Theorem claimed_sound (r : dy * dy) (s : R) (c : exp_claim) (M : mat) (nr nc : nat) (f : nat -> nat -> R) :
  val (fst r) <= s <= val (snd r) -> ML.den (Matrices.rows M) (mexp M) nr nc f ->
  enclosure_shape c (Z.of_nat nr) (Z.of_nat nc) = true -> enclosure_ok c (enclose_mat r M) = true ->
  forall i j, (i < nr)%nat -> (j < nc)%nat ->
  let iv := nth j (nth i (claimed c) []) (dy_zero, dy_zero) in
  0 <= val (fst iv) /\ val (fst iv) <= exp (f i j * s) <= val (snd iv).
Proof.
  intros Hs Hd Hsh Hok i j Hi Hj iv.
  destruct (claimed_shape c nr nc Hsh) as (CL & CR & _). destruct (own_shape r M nr nc f Hd) as (OL & OR).
  unfold enclosure_ok in Hok. rewrite forallb_forall in Hok.
  assert (Hin1 : In (nth i (claimed c) [], nth i (enclose_mat r M) []) (combine (claimed c) (enclose_mat r M))).
  { rewrite <- combine_nth by congruence. apply nth_In. rewrite combine_length. lia. }
  specialize (Hok _ Hin1). simpl in Hok. rewrite forallb_forall in Hok.
  assert (L1 : length (nth i (claimed c) []) = nc) by (apply Forall_nth_len; auto; lia).
  assert (L2 : length (nth i (enclose_mat r M) []) = nc) by (apply Forall_nth_len; auto; lia).
  assert (Hin2 : In (iv, nth j (nth i (enclose_mat r M) []) None)
                    (combine (nth i (claimed c) []) (nth i (enclose_mat r M) []))).
  { unfold iv. rewrite <- combine_nth by congruence. apply nth_In. rewrite combine_length. lia. }
  specialize (Hok _ Hin2). simpl in Hok. unfold entry_ok in Hok.
  destruct (nth j (nth i (enclose_mat r M) []) None) as [[olo ohi]|] eqn:E; [|discriminate].
  repeat rewrite Bool.andb_true_iff in Hok. destruct Hok as [[H1 H2] H3].
  apply dy_nonneg_iff in H1. apply dy_le_iff in H2, H3.
  pose proof (own_sound r s M nr nc f Hs Hd i j olo ohi Hi Hj E). lra.
Qed.

(** A checked claim leaves no own enclosure undefined: every entry of [enclose_mat r M] is an
    interval, which contains exp(M[i, j]·s) and has a lower end ≥ 0. *)
Theorem own_some (r : dy * dy) (s : R) (c : exp_claim) (M : mat) (nr nc : nat) (f : nat -> nat -> R) :
  val (fst r) <= s <= val (snd r) -> ML.den (Matrices.rows M) (mexp M) nr nc f ->
  enclosure_shape c (Z.of_nat nr) (Z.of_nat nc) = true -> enclosure_ok c (enclose_mat r M) = true ->
  forall i j, (i < nr)%nat -> (j < nc)%nat ->
  exists lo hi, nth j (nth i (enclose_mat r M) []) None = Some (lo, hi) /\
    0 <= val lo /\ val lo <= exp (f i j * s) <= val hi.
Proof.
  intros Hs Hd Hsh Hok i j Hi Hj.
  destruct (claimed_shape c nr nc Hsh) as (CL & CR & _). destruct (own_shape r M nr nc f Hd) as (OL & OR).
  unfold enclosure_ok in Hok. rewrite forallb_forall in Hok.
  assert (Hin1 : In (nth i (claimed c) [], nth i (enclose_mat r M) []) (combine (claimed c) (enclose_mat r M))).
  { rewrite <- combine_nth by congruence. apply nth_In. rewrite combine_length. lia. }
  specialize (Hok _ Hin1). simpl in Hok. rewrite forallb_forall in Hok.
  assert (L1 : length (nth i (claimed c) []) = nc) by (apply Forall_nth_len; auto; lia).
  assert (L2 : length (nth i (enclose_mat r M) []) = nc) by (apply Forall_nth_len; auto; lia).
  assert (Hin2 : In (nth j (nth i (claimed c) []) (dy_zero, dy_zero), nth j (nth i (enclose_mat r M) []) None)
                    (combine (nth i (claimed c) []) (nth i (enclose_mat r M) []))).
  { rewrite <- combine_nth by congruence. apply nth_In. rewrite combine_length. lia. }
  specialize (Hok _ Hin2). simpl in Hok. unfold entry_ok in Hok.
  destruct (nth j (nth i (enclose_mat r M) []) None) as [[olo ohi]|] eqn:E; [|discriminate].
  exists olo, ohi. split; [reflexivity|]. exact (own_sound r s M nr nc f Hs Hd i j olo ohi Hi Hj E).
Qed.

End EnclosureSound.

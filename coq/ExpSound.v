(** The exp enclosure of docs/certificate.md §6 is sound: for every dyadic [x = a·2^f],
    [exp_bounds a f = ((lm, le), (hm, he))] satisfies [lm·2^le <= exp x <= hm·2^he], and [0 < lm·2^le].
    No range hypothesis is needed; the range check of step 0 only bounds the work.
    [ExpSoundOf I E] states this for a given instance [E] of [Exp I] (use it with the checker's own instance);
    [ExpSound I] for a fresh one ([ExpSound ZInt] rests only on the axioms of Coq's real numbers).

    The argument, step by step (§6):
    - [exp_taylor_lower], [exp_taylor_upper] (ExpSeries.v): for [0 <= y <= 1],
      [Σ_{i<=n} y^i/i! <= exp y <= Σ_{i<=n} y^i/i! + 2·y^(n+1)/(n+1)!].
    - Step 2: [y = b·2^(f-s) <= 1] (§6 makes it [< 2^-4]; the tail bound needs only [y <= 1]), and
      [Y_lo·2^-Q <= y <= Y_hi·2^-Q].
    - Step 3: by induction, [tl_i·2^-Q <= y^i/i! <= th_i·2^-Q], so [S_lo·2^-Q <= exp y <= S_hi·2^-Q].
    - Step 4: squaring keeps [lo <= exp(2^j·y) <= hi], since [down] only lowers and [up] only raises a
      positive value, and [2^s·y = |x|].
    - Step 5: for [x < 0], [exp x = 1/exp|x|], and the quotients round away from the true reciprocal. *)
From Coq Require Import ZArith Reals Lra Lia.
From MechProof Require Import Int Dval Exp ExpSeries.

(** * The algorithm of Exp.v encloses [exp] *)

Module ExpSoundOf (I : INT) (Import E : ExpT I).

Local Open Scope R_scope.

(** The value of a dyadic [(m, e)] with mantissa in [I.t], and positivity of its mantissa. *)
Definition val (d : I.t * Z) : R := dval (I.to_Z (fst d)) (snd d).
Definition pos (d : I.t * Z) : Prop := (0 < I.to_Z (fst d))%Z.

Lemma pos_of_val d : 0 < val d -> pos d.
Proof.
  unfold val, pos, dval. intros H. pose proof (powerRZ_2_pos (snd d)). apply lt_IZR. nra.
Qed.

(** ** From [I.t] to [Z] *)

Lemma to_Z_pow2 k : I.to_Z (pow2 k) = (2 ^ k)%Z.
Proof. unfold pow2. rewrite I.spec_shiftl, I.spec_1, I.spec_of_Z. apply Z.shiftl_1_l. Qed.

Lemma to_Z_div_down x y : I.to_Z (div_r Down x y) = (I.to_Z x / I.to_Z y)%Z.
Proof. apply I.spec_div. Qed.

Lemma to_Z_div_up x y : I.to_Z (div_r Up x y) = (- (- I.to_Z x / I.to_Z y))%Z.
Proof. simpl. now rewrite I.spec_opp, I.spec_div, I.spec_opp. Qed.

Lemma to_Z_shift_down x k : (0 <= k)%Z -> I.to_Z (shift_r Down x k) = (I.to_Z x / 2 ^ k)%Z.
Proof. intros Hk. simpl. rewrite I.spec_shiftr, I.spec_of_Z. now apply Z.shiftr_div_pow2. Qed.

Lemma to_Z_shift_up x k : (0 <= k)%Z -> I.to_Z (shift_r Up x k) = (- (- I.to_Z x / 2 ^ k))%Z.
Proof.
  intros Hk. simpl. rewrite I.spec_opp, I.spec_shiftr, I.spec_opp, I.spec_of_Z.
  now rewrite Z.shiftr_div_pow2.
Qed.

#[local] Hint Rewrite I.spec_add I.spec_sub I.spec_mul I.spec_opp I.spec_abs I.spec_of_Z I.spec_0 I.spec_1
  to_Z_pow2 to_Z_div_down to_Z_div_up : to_Z.
#[local] Hint Rewrite to_Z_shift_down to_Z_shift_up using lia : to_Z.

(** [2^(bitlen b - 1) <= b < 2^bitlen b] for [b > 0]. *)
Lemma bitlen_spec b :
  (0 < I.to_Z b)%Z -> (1 <= bitlen b /\ 2 ^ (bitlen b - 1) <= I.to_Z b < 2 ^ bitlen b)%Z.
Proof.
  intros Hb. unfold bitlen. rewrite I.spec_log2.
  pose proof (Z.log2_spec _ Hb). pose proof (Z.log2_nonneg (I.to_Z b)).
  replace (Z.log2 (I.to_Z b) + 1 - 1)%Z with (Z.log2 (I.to_Z b)) by lia.
  rewrite <- Z.add_1_r in H. lia.
Qed.

(** ** Step 2: the scaled argument *)

Lemma scale_down_sound b h :
  (0 <= I.to_Z b)%Z ->
  (0 <= I.to_Z (scale Down b h))%Z /\ dval (I.to_Z (scale Down b h)) (- Q) <= dval (I.to_Z b) (h - Q).
Proof.
  intros Hb. unfold scale. destruct (Z.leb_spec 0 h) as [Hh | Hh]; autorewrite with to_Z.
  - split; [apply Z.mul_nonneg_nonneg; [exact Hb | apply Z.pow_nonneg; lia] |].
    rewrite dval_shift by exact Hh. replace (- Q + h)%Z with (h - Q)%Z by lia. lra.
  - split; [apply Z.div_pos; [exact Hb | apply Z.pow_pos_nonneg; lia] |].
    replace (- Q)%Z with (h - Q + - h)%Z at 1 by lia. apply dval_floor_shift. lia.
Qed.

Lemma scale_up_sound b h :
  dval (I.to_Z b) (h - Q) <= dval (I.to_Z (scale Up b h)) (- Q).
Proof.
  unfold scale. destruct (Z.leb_spec 0 h) as [Hh | Hh]; autorewrite with to_Z.
  - rewrite dval_shift by exact Hh. replace (- Q + h)%Z with (h - Q)%Z by lia. lra.
  - replace (- Q)%Z with (h - Q + - h)%Z at 1 by lia. apply dval_ceil_shift. lia.
Qed.

(** [y = b·2^(f-s) <= 1] for [s >= bitlen(b) + f + 4]. *)
Lemma scaled_le_1 b f s :
  (0 < I.to_Z b)%Z -> (bitlen b + f + 4 <= s)%Z -> dval (I.to_Z b) (f - s) <= 1.
Proof.
  intros Hb Hs. destruct (bitlen_spec b Hb) as (H1 & _ & Hhi).
  assert (Hle : (I.to_Z b <= 1 * 2 ^ (s - f))%Z).
  { rewrite Z.mul_1_l. apply Z.lt_le_incl, Z.lt_le_trans with (2 ^ bitlen b)%Z; [exact Hhi |].
    apply Z.pow_le_mono_r; lia. }
  apply Rle_trans with (dval (1 * 2 ^ (s - f)) (f - s)).
  - unfold dval. apply Rmult_le_compat_r; [left; apply powerRZ_2_pos | now apply IZR_le].
  - rewrite dval_shift by lia. replace (f - s + (s - f))%Z with 0%Z by lia. unfold dval. simpl. lra.
Qed.

(** ** Step 3: the fixed-point Taylor terms bound [y^i/i!] *)

(** One fixed-point step: [t·Y / (i·2^Q)] at scale [2^-Q] is [(t·2^-Q)·(Y·2^-Q) / i]. *)
Lemma fixed_step t Y i :
  (IZR (t * Y) / IZR (Z.of_nat (S i) * 2 ^ Q) * powerRZ 2 (- Q)
   = dval t (- Q) * dval Y (- Q) / INR (S i))%R.
Proof.
  unfold dval. rewrite !mult_IZR, <- INR_IZR_INZ, IZR_pow2 by (unfold Q; lia).
  rewrite powerRZ_neg'. pose proof (powerRZ_2_pos Q). pose proof (pos_INR i).
  rewrite S_INR. field. lra.
Qed.

Lemma fixed_div_pos i : (0 < Z.of_nat (S i) * 2 ^ Q)%Z.
Proof. apply Z.mul_pos_pos; [lia | apply Z.pow_pos_nonneg; unfold Q; lia]. Qed.

(** The Taylor step's [⌊⌊X/2^Q⌋/i⌋] and [⌈⌈X/2^Q⌉/i⌉] are §6's [⌊X/(i·2^Q)⌋] and
    [⌈X/(i·2^Q)⌉]. *)
Lemma taylor_step_down t Y i :
  I.to_Z (div_r Down (shift_r Down (I.mul t Y) Q) (I.of_Z (Z.of_nat (S i))))
  = (I.to_Z t * I.to_Z Y / (Z.of_nat (S i) * 2 ^ Q))%Z.
Proof.
  rewrite to_Z_div_down, to_Z_shift_down, I.spec_mul, I.spec_of_Z by (unfold Q; lia).
  assert (0 < 2 ^ Q)%Z by (apply Z.pow_pos_nonneg; unfold Q; lia).
  rewrite Z.div_div, (Z.mul_comm (2 ^ Q)) by lia. reflexivity.
Qed.

Lemma taylor_step_up t Y i :
  I.to_Z (div_r Up (shift_r Up (I.mul t Y) Q) (I.of_Z (Z.of_nat (S i))))
  = (- (- (I.to_Z t * I.to_Z Y) / (Z.of_nat (S i) * 2 ^ Q)))%Z.
Proof.
  rewrite to_Z_div_up, to_Z_shift_up, I.spec_mul, I.spec_of_Z, Z.opp_involutive by (unfold Q; lia).
  assert (0 < 2 ^ Q)%Z by (apply Z.pow_pos_nonneg; unfold Q; lia).
  rewrite Z.div_div, (Z.mul_comm (2 ^ Q)) by lia. reflexivity.
Qed.

Lemma taylor_down_sound Y y i :
  (0 <= I.to_Z Y)%Z -> dval (I.to_Z Y) (- Q) <= y ->
  let '(sum, t) := taylor Down Y i in
  (0 <= I.to_Z t)%Z /\ (0 < I.to_Z sum + I.to_Z t)%Z /\
  dval (I.to_Z t) (- Q) <= exp_term y i /\ dval (I.to_Z sum) (- Q) <= sum_below (exp_term y) i.
Proof.
  intros HY Hy. induction i as [| i IH]; cbn [taylor sum_below].
  - autorewrite with to_Z. rewrite exp_term_0. unfold dval.
    rewrite IZR_pow2 by (unfold Q; lia). rewrite <- powerRZ_2_add, Z.add_opp_diag_r. simpl.
    assert (0 < 2 ^ Q)%Z by (apply Z.pow_pos_nonneg; unfold Q; lia).
    repeat split; try lia; lra.
  - destruct (taylor Down Y i) as [sum t]. destruct IH as (Ht & Hst & Htv & Hsv).
    rewrite taylor_step_down, I.spec_add, exp_term_S.
    pose proof (fixed_div_pos i) as Hd.
    assert (Hq : (0 <= I.to_Z t * I.to_Z Y / (Z.of_nat (S i) * 2 ^ Q))%Z)
      by (apply Z.div_pos; [now apply Z.mul_nonneg_nonneg | lia]).
    repeat split; [exact Hq | lia | |].
    + unfold dval at 1.
      apply Rle_trans with (IZR (I.to_Z t * I.to_Z Y) / IZR (Z.of_nat (S i) * 2 ^ Q) * powerRZ 2 (- Q)).
      * apply Rmult_le_compat_r; [left; apply powerRZ_2_pos |].
        apply Rmult_le_reg_r with (IZR (Z.of_nat (S i) * 2 ^ Q)); [now apply IZR_lt |].
        unfold Rdiv. rewrite Rmult_assoc, Rinv_l by (apply not_0_IZR; lia).
        rewrite Rmult_1_r. now apply IZR_floor_div.
      * rewrite fixed_step. unfold Rdiv. apply Rmult_le_compat_r.
        { left. apply Rinv_0_lt_compat. apply lt_0_INR. lia. }
        apply Rmult_le_compat; [now apply dval_nonneg | now apply dval_nonneg | exact Htv | exact Hy].
    + rewrite dval_add. lra.
Qed.

Lemma taylor_up_sound Y y i :
  0 <= y -> y <= dval (I.to_Z Y) (- Q) ->
  let '(sum, t) := taylor Up Y i in
  exp_term y i <= dval (I.to_Z t) (- Q) /\ sum_below (exp_term y) i <= dval (I.to_Z sum) (- Q).
Proof.
  intros Hy0 Hy. induction i as [| i IH]; cbn [taylor sum_below].
  - autorewrite with to_Z. rewrite exp_term_0. unfold dval.
    rewrite IZR_pow2 by (unfold Q; lia). rewrite <- powerRZ_2_add, Z.add_opp_diag_r. simpl. lra.
  - destruct (taylor Up Y i) as [sum t]. destruct IH as (Htv & Hsv).
    rewrite taylor_step_up, I.spec_add, exp_term_S.
    pose proof (fixed_div_pos i) as Hd. pose proof (exp_term_nonneg y i Hy0). split.
    + unfold dval at 1.
      apply Rle_trans with (IZR (I.to_Z t * I.to_Z Y) / IZR (Z.of_nat (S i) * 2 ^ Q) * powerRZ 2 (- Q)).
      * rewrite fixed_step. unfold Rdiv. apply Rmult_le_compat_r.
        { left. apply Rinv_0_lt_compat. apply lt_0_INR. lia. }
        apply Rmult_le_compat; lra.
      * apply Rmult_le_compat_r; [left; apply powerRZ_2_pos |].
        apply Rmult_le_reg_r with (IZR (Z.of_nat (S i) * 2 ^ Q)); [now apply IZR_lt |].
        unfold Rdiv. rewrite Rmult_assoc, Rinv_l by (apply not_0_IZR; lia).
        rewrite Rmult_1_r. now apply IZR_ceil_div.
    + rewrite dval_add. lra.
Qed.

(** Step 3's sums: [S_lo·2^-Q <= exp y] (and [S_lo > 0]), [exp y <= S_hi·2^-Q] with
    [S_hi = Σ_{i<=n} th_i + 2·th_(n+1)], for [0 <= y <= 1]. *)
Lemma taylor_down_exp Y y n :
  (0 <= I.to_Z Y)%Z -> dval (I.to_Z Y) (- Q) <= y -> 0 <= y ->
  let '(sum, _) := taylor Down Y (S n) in (0 < I.to_Z sum)%Z /\ dval (I.to_Z sum) (- Q) <= exp y.
Proof.
  intros HY Hy Hy0.
  pose proof (taylor_down_sound Y y (S n) HY Hy) as HS. pose proof (taylor_down_sound Y y n HY Hy) as Hn.
  simpl taylor in HS |- *. destruct (taylor Down Y n) as [sum t]. simpl in HS |- *.
  destruct Hn as (_ & Hpos & _). destruct HS as (_ & _ & _ & Hv). split.
  - rewrite I.spec_add. exact Hpos.
  - eapply Rle_trans; [exact Hv |].
    change (sum_below (exp_term y) n + exp_term y n) with (sum_below (exp_term y) (S n)).
    rewrite sum_below_S. now apply exp_taylor_lower.
Qed.

Lemma taylor_up_exp Y y n :
  0 <= y <= 1 -> y <= dval (I.to_Z Y) (- Q) ->
  let '(sum, t) := taylor Up Y (S n) in exp y <= dval (I.to_Z sum + 2 * I.to_Z t) (- Q).
Proof.
  intros Hy Hy1. pose proof (taylor_up_sound Y y (S n) (proj1 Hy) Hy1) as HS.
  destruct (taylor Up Y (S n)) as [sum t]. destruct HS as [Ht Hs].
  rewrite dval_add.
  replace (dval (2 * I.to_Z t) (- Q)) with (2 * dval (I.to_Z t) (- Q)) by (unfold dval; rewrite mult_IZR; ring).
  eapply Rle_trans; [now apply (exp_taylor_upper y n) |]. rewrite <- sum_below_S. lra.
Qed.

(** ** Step 4: [down] only lowers and [up] only raises a positive dyadic *)

Lemma cut_down_sound m e :
  (0 < I.to_Z m)%Z -> pos (cut Down m e) /\ val (cut Down m e) <= dval (I.to_Z m) e.
Proof.
  intros Hm. unfold cut, pos, val. destruct (Z.ltb_spec 0 (bitlen m - P)) as [Hk | Hk];
    cbn [fst snd]; [| split; [exact Hm | lra]].
  autorewrite with to_Z. destruct (bitlen_spec m Hm) as (_ & Hlo & _). split.
  - apply Z.div_str_pos. split; [apply Z.pow_pos_nonneg; lia |].
    apply Z.le_trans with (2 ^ (bitlen m - 1))%Z; [| exact Hlo].
    apply Z.pow_le_mono_r; unfold P in *; lia.
  - apply dval_floor_shift. lia.
Qed.

Lemma cut_up_sound m e :
  (0 < I.to_Z m)%Z -> pos (cut Up m e) /\ dval (I.to_Z m) e <= val (cut Up m e).
Proof.
  intros Hm. unfold cut, pos, val. destruct (Z.ltb_spec 0 (bitlen m - P)) as [Hk | Hk];
    cbn [fst snd]; [| split; [exact Hm | lra]].
  autorewrite with to_Z.
  assert (H := dval_ceil_shift (I.to_Z m) e (bitlen m - P) ltac:(lia)).
  split; [| exact H].
  pose proof (dval_pos (I.to_Z m) e Hm). apply lt_IZR. unfold dval in *.
  pose proof (powerRZ_2_pos (e + (bitlen m - P))). nra.
Qed.

Lemma square_down_sound d z :
  pos d -> val d <= z -> pos (square Down d) /\ val (square Down d) <= z * z.
Proof.
  destruct d as [m e]. unfold pos, val, square. simpl. intros Hm Hz.
  assert (Hmm : (0 < I.to_Z (I.mul m m))%Z) by (autorewrite with to_Z; nia).
  destruct (cut_down_sound (I.mul m m) (2 * e) Hmm) as [Hp Hv]. split; [exact Hp |].
  eapply Rle_trans; [exact Hv |].
  autorewrite with to_Z. replace (2 * e)%Z with (e + e)%Z by lia. rewrite dval_mul.
  pose proof (dval_pos (I.to_Z m) e Hm). apply Rmult_le_compat; lra.
Qed.

Lemma square_up_sound d z :
  pos d -> 0 <= z -> z <= val d -> pos (square Up d) /\ z * z <= val (square Up d).
Proof.
  destruct d as [m e]. unfold pos, val, square. simpl. intros Hm Hz0 Hz.
  assert (Hmm : (0 < I.to_Z (I.mul m m))%Z) by (autorewrite with to_Z; nia).
  destruct (cut_up_sound (I.mul m m) (2 * e) Hmm) as [Hp Hv]. split; [exact Hp |].
  eapply Rle_trans; [| exact Hv].
  autorewrite with to_Z. replace (2 * e)%Z with (e + e)%Z by lia. rewrite dval_mul.
  apply Rmult_le_compat; lra.
Qed.

(** [exp(2^(j+1)·z) = exp(2^j·z)^2]. *)
Lemma exp_double z n : exp (z * 2 ^ S n) = exp (z * 2 ^ n) * exp (z * 2 ^ n).
Proof. rewrite <- exp_plus. f_equal. simpl. ring. Qed.

Lemma squarings_down_sound n d z :
  pos d -> val d <= exp z ->
  pos (Nat.iter n (square Down) d) /\ val (Nat.iter n (square Down) d) <= exp (z * 2 ^ n).
Proof.
  intros Hp Hv. induction n as [| n [IHp IHv]].
  - simpl. rewrite Rmult_1_r. now split.
  - simpl Nat.iter. rewrite exp_double. now apply square_down_sound.
Qed.

Lemma squarings_up_sound n d z :
  pos d -> exp z <= val d ->
  pos (Nat.iter n (square Up) d) /\ exp (z * 2 ^ n) <= val (Nat.iter n (square Up) d).
Proof.
  intros Hp Hv. induction n as [| n [IHp IHv]].
  - simpl. rewrite Rmult_1_r. now split.
  - simpl Nat.iter. rewrite exp_double. apply square_up_sound; [exact IHp | | exact IHv].
    left. apply exp_pos.
Qed.

(** ** Step 5: the reciprocals round away from [1/exp|x|] *)

(** [2^L / m] with [L = bitlen m + P] is at least [1]. *)
Lemma recip_num_ge m : (0 < I.to_Z m)%Z -> (I.to_Z m <= 2 ^ (bitlen m + P))%Z.
Proof.
  intros Hm. destruct (bitlen_spec m Hm) as (H1 & _ & Hhi).
  apply Z.lt_le_incl, Z.lt_le_trans with (2 ^ bitlen m)%Z; [exact Hhi |].
  apply Z.pow_le_mono_r; unfold P; lia.
Qed.

(** [val (recip d)] is [2^L / m · 2^(-L-e)] rounded, and [2^L / m · 2^(-L-e) = 1 / val d]. *)
Lemma recip_exact m e L :
  (0 < m)%Z -> (0 <= L)%Z -> (IZR (2 ^ L) / IZR m * powerRZ 2 (- L - e) = / dval m e)%R.
Proof.
  intros Hm HL. unfold dval. rewrite IZR_pow2 by exact HL.
  replace (- L - e)%Z with (- (L + e))%Z by lia. rewrite powerRZ_neg', powerRZ_2_add.
  pose proof (powerRZ_2_pos L). pose proof (powerRZ_2_pos e). assert (0 < IZR m) by now apply IZR_lt.
  field. lra.
Qed.

Lemma recip_down_sound d z :
  pos d -> 0 < z <= val d -> pos (recip Down d) /\ val (recip Down d) <= / z.
Proof.
  destruct d as [m e]. unfold pos, val, recip. simpl. intros Hm Hz.
  autorewrite with to_Z. pose proof (recip_num_ge m Hm) as Hnum.
  destruct (bitlen_spec m Hm) as (H1 & _).
  set (L := (bitlen m + P)%Z) in *. assert (HL : (0 <= L)%Z) by (unfold L, P in *; lia). split.
  - apply Z.div_str_pos. split; [exact Hm | exact Hnum].
  - apply Rle_trans with (/ dval (I.to_Z m) e); [| apply Rinv_le_contravar; lra].
    rewrite <- (recip_exact (I.to_Z m) e L Hm HL). unfold dval.
    apply Rmult_le_compat_r; [left; apply powerRZ_2_pos |].
    assert (Hmr : 0 < IZR (I.to_Z m)) by now apply IZR_lt.
    pose proof (IZR_floor_div (2 ^ L) (I.to_Z m) Hm).
    apply Rmult_le_reg_r with (IZR (I.to_Z m)); [exact Hmr |].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l; lra.
Qed.

Lemma recip_up_sound d z :
  pos d -> val d <= z -> pos (recip Up d) /\ / z <= val (recip Up d).
Proof.
  destruct d as [m e]. unfold pos, val, recip. simpl. intros Hm Hz.
  pose proof (dval_pos (I.to_Z m) e Hm).
  autorewrite with to_Z. pose proof (recip_num_ge m Hm) as Hnum.
  destruct (bitlen_spec m Hm) as (H1 & _).
  set (L := (bitlen m + P)%Z) in *. assert (HL : (0 <= L)%Z) by (unfold L, P in *; lia).
  assert (Hmr : 0 < IZR (I.to_Z m)) by now apply IZR_lt.
  pose proof (IZR_ceil_div (2 ^ L) (I.to_Z m) Hm) as Hc.
  assert (Hq : IZR (2 ^ L) / IZR (I.to_Z m) <= IZR (- (- 2 ^ L / I.to_Z m))).
  { apply Rmult_le_reg_r with (IZR (I.to_Z m)); [exact Hmr |].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l; lra. }
  assert (Hinv : / z <= dval (- (- 2 ^ L / I.to_Z m)) (- L - e)).
  { apply Rle_trans with (/ dval (I.to_Z m) e); [apply Rinv_le_contravar; lra |].
    rewrite <- (recip_exact (I.to_Z m) e L Hm HL). unfold dval.
    apply Rmult_le_compat_r; [left; apply powerRZ_2_pos | exact Hq]. }
  split; [| exact Hinv].
  assert (0 < IZR (2 ^ L) / IZR (I.to_Z m)).
  { unfold Rdiv. apply Rmult_lt_0_compat; [| now apply Rinv_0_lt_compat].
    apply IZR_lt, Z.pow_pos_nonneg; lia. }
  apply lt_IZR. lra.
Qed.

(** ** Steps 1-5 *)

Lemma exp_bounds_val a f :
  pos (fst (exp_bounds a f)) /\
  val (fst (exp_bounds a f)) <= exp (dval (I.to_Z a) f) <= val (snd (exp_bounds a f)).
Proof.
  unfold exp_bounds. rewrite I.spec_eqb, I.spec_0.
  destruct (Z.eqb_spec (I.to_Z a) 0) as [Ha0 | Ha0].
  { (* step 1 *)
    unfold pos, val. simpl. rewrite I.spec_1, Ha0. unfold dval. simpl.
    rewrite Rmult_0_l, exp_0. split; [lia | lra]. }
  cbv zeta.
  set (b := I.abs a). set (s := squarings b f). set (h := (f - s + Q)%Z).
  set (Ylo := scale Down b h). set (Yhi := scale Up b h).
  assert (Hb : I.to_Z b = Z.abs (I.to_Z a)) by apply I.spec_abs.
  assert (Hb0 : (0 < I.to_Z b)%Z) by lia.
  assert (Hs : (0 <= s /\ bitlen b + f + 4 <= s)%Z) by (unfold s, squarings; lia).
  set (y := dval (I.to_Z b) (f - s)).
  assert (Hy : 0 <= y <= 1).
  { split; [apply dval_nonneg; lia | apply scaled_le_1; lia]. }
  assert (Hhq : (h - Q = f - s)%Z) by (unfold h; lia).
  destruct (scale_down_sound b h ltac:(lia)) as [HYlo0 HYlo]. fold Ylo in HYlo0, HYlo.
  pose proof (scale_up_sound b h) as HYhi. fold Yhi in HYhi. rewrite Hhq in HYlo, HYhi.
  pose proof (taylor_down_exp Ylo y N HYlo0 HYlo (proj1 Hy)) as HTlo.
  pose proof (taylor_up_exp Yhi y N Hy HYhi) as HThi.
  destruct (taylor Down Ylo (S N)) as [S_lo tl]. destruct (taylor Up Yhi (S N)) as [sum_hi th].
  destruct HTlo as [HSlo0 HSlo].
  set (S_hi := I.add sum_hi (I.mul (I.of_Z 2) th)).
  assert (HShi : exp y <= val (S_hi, (- Q)%Z)) by (unfold val, S_hi; simpl; now autorewrite with to_Z).
  assert (HShi0 : pos (S_hi, (- Q)%Z)) by (apply pos_of_val; pose proof (exp_pos y); lra).
  (* step 4 *)
  destruct (squarings_down_sound (Z.to_nat s) (S_lo, (- Q)%Z) y HSlo0 HSlo) as [Hlo0 Hlo].
  destruct (squarings_up_sound (Z.to_nat s) (S_hi, (- Q)%Z) y HShi0 HShi) as [Hhi0 Hhi].
  assert (Hx : y * 2 ^ Z.to_nat s = dval (I.to_Z b) f).
  { unfold y, dval. rewrite pow_powerRZ, Z2Nat.id by lia. rewrite Rmult_assoc, <- powerRZ_2_add.
    do 2 f_equal. lia. }
  rewrite Hx in Hlo, Hhi.
  set (lo := Nat.iter (Z.to_nat s) (square Down) (S_lo, (- Q)%Z)) in *.
  set (hi := Nat.iter (Z.to_nat s) (square Up) (S_hi, (- Q)%Z)) in *.
  (* step 5 *)
  rewrite I.spec_ltb, I.spec_0. destruct (Z.ltb_spec 0 (I.to_Z a)) as [Ha | Ha]; simpl.
  - rewrite Hb, Z.abs_eq in Hlo, Hhi by lia. auto.
  - assert (Hneg : dval (I.to_Z a) f = - dval (I.to_Z b) f).
    { rewrite Hb, Z.abs_neq by lia. unfold dval. rewrite opp_IZR. ring. }
    rewrite Hneg, exp_Ropp. pose proof (exp_pos (dval (I.to_Z b) f)).
    destruct (recip_down_sound hi (exp (dval (I.to_Z b) f)) Hhi0 ltac:(lra)) as [Hp Hd].
    destruct (recip_up_sound lo (exp (dval (I.to_Z b) f)) Hlo0 Hlo) as [_ Hu].
    auto.
Qed.

(** The enclosure of §6, for every dyadic argument [x = a·2^f]. *)
Theorem exp_bounds_sound : forall a f,
  let '((lm, le), (hm, he)) := exp_bounds a f in
  dval (I.to_Z lm) le <= exp (dval (I.to_Z a) f) <= dval (I.to_Z hm) he.
Proof.
  intros a f. pose proof (exp_bounds_val a f) as (_ & H).
  destruct (exp_bounds a f) as [[lm le] [hm he]]. exact H.
Qed.

(** The lower end is positive, both its mantissa and its value. *)
Theorem exp_bounds_lo_pos : forall a f,
  let '((lm, le), _) := exp_bounds a f in (0 < I.to_Z lm)%Z /\ 0 < dval (I.to_Z lm) le.
Proof.
  intros a f. pose proof (exp_bounds_val a f) as (H & _).
  destruct (exp_bounds a f) as [[lm le] hi]. split; [exact H | now apply dval_pos].
Qed.

Corollary exp_bounds_lo_nonneg : forall a f,
  let '((lm, le), _) := exp_bounds a f in 0 <= dval (I.to_Z lm) le.
Proof.
  intros a f. pose proof (exp_bounds_lo_pos a f).
  destruct (exp_bounds a f) as [[lm le] hi]. lra.
Qed.

End ExpSoundOf.

(** The soundness of a fresh instance [E = Exp I]: [ExpSound ZInt] is the axiom-free statement. *)
Module ExpSound (I : INT).
  Module E := Exp I.
  Include ExpSoundOf I E.
End ExpSound.

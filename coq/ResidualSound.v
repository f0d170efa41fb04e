(** The claim [residual] of docs/certificate.md §9 is sound (coq-plan lemma 9, the residual half): the
    residual list that [check_input_claims] accepts is strictly increasing within [0, V^n), and every
    input on it is covered by no case and is right ([residual_sound]) — the facts the lower bound adds to
    the cases' count.

    [residual_ok] shares the term vectors of the full rule (§8) between inputs through a memo keyed by
    (m, t, p, all tokens equal), emptied whenever the query token q changes. Its soundness rests on the
    invariant [memo_ok]: every stored vector is the one [term_vec] computes for its key and the current q
    — a vector depends on q, m, t, p and, through the weights, on whether all tokens are equal
    ([weights_of_nth]), and [memo_key] is one-to-one on t < V, p < n ([memo_key_inj]). *)
From Coq Require Import ZArith Reals Lia List Sorted FMapPositive.
From MechProof Require Import Int Table Arith Model Cert Matrices Inputs Cubic Check Statement Counting NatCounts
  MatrixLemmas Accepted WeightsSound RuleSound ListsSound.
Import ListNotations.
Local Open Scope Z_scope.

(** ** Tables and keys *)

Lemma find_empty {A} (k : Z) : find (@empty A) k = None.
Proof. unfold find, empty. destruct (tkey k); [apply PositiveMap.gempty | reflexivity]. Qed.

Lemma tkey_inj (k k' : Z) (p : positive) : tkey k = Some p -> tkey k' = Some p -> k = k'.
Proof.
  destruct k as [|a|a], k' as [|b|b]; simpl; intros H H'; try discriminate; rewrite <- H' in H;
    try reflexivity; injection H as H.
  - exfalso. apply (Pos.succ_not_1 b). congruence.
  - exfalso. apply (Pos.succ_not_1 a). congruence.
  - apply Pos.succ_inj in H. congruence.
Qed.

Lemma find_set {A} (t : table A) (k k' : Z) (v : A) :
  0 <= k -> find (set t k v) k' = if k =? k' then Some v else find t k'.
Proof.
  intros Hk. unfold find, set. destruct (tkey k) as [pk|] eqn:Ek; [|destruct k; simpl in Ek; try discriminate; lia].
  destruct (Z.eqb_spec k k') as [<-|Hne].
  - rewrite Ek. apply PositiveMap.gss.
  - destruct (tkey k') as [pk'|] eqn:Ek'; [|reflexivity]. rewrite PositiveMap.gso; [reflexivity|].
    intros <-. apply Hne. eapply tkey_inj; eauto.
Qed.

Lemma layer (x x' r r' k : Z) : 0 <= r < k -> 0 <= r' < k -> x * k + r = x' * k + r' -> x = x' /\ r = r'.
Proof.
  intros Hr Hr' H.
  assert (Hx : x = (x * k + r) / k) by (rewrite Z.div_add_l by lia; rewrite Z.div_small by lia; lia).
  assert (Hx' : x' = (x' * k + r') / k) by (rewrite Z.div_add_l by lia; rewrite Z.div_small by lia; lia).
  assert (E : x = x') by (rewrite Hx, Hx', H; reflexivity). subst x'. split; [reflexivity | lia].
Qed.

Lemma max_tok_nonneg (T : list Z) : 0 <= max_tok T.
Proof.
  unfold max_tok. assert (H : forall a, a <= fold_left Z.max T a).
  { induction T as [|x T IH]; intros a; simpl; [lia|]. specialize (IH (Z.max a x)). lia. }
  apply H.
Qed.

Lemma in_combine_nth {A B} (a : list A) (b : list B) (x : A) (y : B) da db :
  In (x, y) (combine a b) ->
  exists i, (i < length a)%nat /\ (i < length b)%nat /\ nth i a da = x /\ nth i b db = y.
Proof.
  revert b. induction a as [|a0 a IH]; intros [|b0 b] H; simpl in H; try contradiction.
  destruct H as [H|H].
  - injection H as <- <-. exists 0%nat. simpl. repeat split; lia.
  - destruct (IH b H) as (i & H1 & H2 & H3 & H4). exists (S i). simpl. repeat split; auto; lia.
Qed.

Lemma map2_combine {A B C} (f : A -> B -> C) (a : list A) (b : list B) :
  map2 f a b = map (fun ab => f (fst ab) (snd ab)) (combine a b).
Proof. revert b. induction a as [|x a IH]; intros [|y b]; simpl; auto. f_equal. apply IH. Qed.

Module ResidualSound (I : INT) (Import K : CHECK I).
Module Export LS := ListsSound I K.

Lemma memo_key_inj (V n m t p m' t' p' : Z) (e e' : bool) :
  0 <= t < V -> 0 <= t' < V -> 0 <= p < n -> 0 <= p' < n ->
  memo_key V n m t p e = memo_key V n m' t' p' e' -> m = m' /\ t = t' /\ p = p' /\ e = e'.
Proof.
  unfold memo_key. intros Ht Ht' Hp Hp' H.
  apply layer in H as [H1 H2]; [|destruct e; lia | destruct e'; lia].
  apply layer in H1 as [H3 H4]; [|lia | lia]. apply layer in H3 as [H5 H6]; [|lia | lia].
  repeat split; auto. destruct e, e'; simpl in H2; congruence.
Qed.

Lemma memo_key_nonneg (V n m t p : Z) (e : bool) :
  0 <= V -> 0 <= n -> 0 <= m -> 0 <= t -> 0 <= p -> 0 <= memo_key V n m t p e.
Proof. intros. unfold memo_key. destruct e; nia. Qed.


(** ** The memo of term vectors, for any rule *)
Section Memo.
Variable R : rule.

(** The weight interval of position p holding token t, for query token q (as [weights_of] reads it). *)
Definition wt_of (q t p : Z) (equal : bool) : I.t * I.t :=
  if equal then nth (Z.to_nat p) (let '(plo, phi, _) := get (rl_pos R) q ([], [], 0) in combine plo phi) (I.zero, I.zero)
  else nth (Z.to_nat p) (get (get (rl_w R) q empty) t []) (I.zero, I.zero).

Lemma weights_of_nth (T : list Z) (p : nat) : (p < length T)%nat ->
  nth p (weights_of R T) (I.zero, I.zero) = wt_of (query_tok T) (nth p T 0) (Z.of_nat p) (forallb (Z.eqb (query_tok T)) T).
Proof.
  intros Hp. unfold weights_of, wt_of. destruct (forallb (Z.eqb (query_tok T)) T).
  - destruct (get (rl_pos R) (query_tok T) ([], [], 0)) as [[plo phi] e]. rewrite Nat2Z.id. reflexivity.
  - unfold indexed. rewrite (nth_map_in _ _ _ (0, 0)) by (rewrite length_indexed_from; exact Hp).
    rewrite nth_indexed_from by exact Hp. simpl. rewrite Nat2Z.id. reflexivity.
Qed.

Definition memo_ok (q : Z) (memo : table (list I.t)) : Prop :=
  forall m t p e v, 0 <= t < rl_V R -> 0 <= p < rl_n R ->
  find memo (memo_key (rl_V R) (rl_n R) m t p e) = Some v -> v = term_vec R q m t p (wt_of q t p e).

Lemma memo_ok_empty (q : Z) : memo_ok q empty.
Proof. intros m t p e v _ _. rewrite find_empty. discriminate. Qed.

Hypothesis HV : 0 <= rl_V R.
Hypothesis Hn : 0 <= rl_n R.

Lemma term_vecs_spec (T : list Z) (m : Z) (memo : table (list I.t)) :
  memo_ok (query_tok T) memo -> 0 <= m -> (forall t, In t T -> 0 <= t < rl_V R) -> Z.of_nat (length T) <= rl_n R ->
  let q := query_tok T in let ws := weights_of R T in
  fst (term_vecs R T m q ws memo) = map2 (fun pt w => term_vec R q m (snd pt) (fst pt) w) (indexed T) ws /\
  memo_ok q (snd (term_vecs R T m q ws memo)).
Proof.
  intros Hmemo Hm HT HL q ws. unfold term_vecs. rewrite map2_combine.
  set (equal := forallb (Z.eqb q) T).
  assert (HP : forall ptw, In ptw (combine (indexed T) ws) ->
             0 <= snd (fst ptw) < rl_V R /\ 0 <= fst (fst ptw) < rl_n R /\
             snd ptw = wt_of q (snd (fst ptw)) (fst (fst ptw)) equal).
  { intros [[p t] w] Hin. apply (in_combine_nth _ _ _ _ (0, 0) (I.zero, I.zero)) in Hin as (i & H1 & H2 & H3 & H4).
    unfold indexed in H1, H3. rewrite length_indexed_from in H1. rewrite nth_indexed_from in H3 by exact H1.
    injection H3 as <- <-. simpl. split; [apply HT, nth_In, H1|]. split; [lia|].
    rewrite <- H4. unfold ws. apply weights_of_nth, H1. }
  clearbody equal. revert HP. generalize (combine (indexed T) ws) as l. intros l HP.
  induction l as [|[[p t] w] l IH]; [split; [reflexivity | exact Hmemo]|].
  simpl. destruct IH as [IH1 IH2]; [intros x Hx; apply HP; right; exact Hx|].
  destruct (HP ((p, t), w) (or_introl eq_refl)) as (Ht & Hp & Hw). simpl in Ht, Hp, Hw.
  set (res := fold_right _ ([], memo) l) in *.
  destruct (find (snd res) (memo_key (rl_V R) (rl_n R) m t p equal)) as [v|] eqn:E; simpl.
  - split; [|exact IH2]. rewrite IH1. f_equal. rewrite (IH2 m t p equal v Ht Hp E), Hw. reflexivity.
  - split; [rewrite IH1; reflexivity|].
    intros m' t' p' e' v' Ht' Hp'. rewrite find_set by (apply memo_key_nonneg; lia).
    destruct (Z.eqb_spec (memo_key (rl_V R) (rl_n R) m t p equal) (memo_key (rl_V R) (rl_n R) m' t' p' e')) as [Ek|Ek].
    + intros Hv. injection Hv as <-. apply memo_key_inj in Ek as (<- & <- & <- & <-); [|lia..].
      rewrite Hw. reflexivity.
    + apply IH2; assumption.
Qed.

(** One residual input, then all of them: the memo stays sound, and a final verdict [true] means every
    input was uncovered and proven right. *)
Variable covers : list Z -> bool.
Variable n : nat.
Hypothesis HnR : rl_n R = Z.of_nat n.
Hypothesis Hdecode : forall x, 0 <= I.to_Z x ->
  length (decode (rl_V R) n x) = n /\ forall t, In t (decode (rl_V R) n x) -> 0 <= t < rl_V R.

Lemma residual_fold (xs : list I.t) : forall ok mq memo,
  Forall (fun x => 0 <= I.to_Z x) xs -> memo_ok mq memo ->
  fst (fst (fold_left (residual_step R covers n) xs (ok, mq, memo))) = true ->
  ok = true /\ forall x, In x xs -> covers (decode (rl_V R) n x) = false /\ proven_right R (decode (rl_V R) n x) = true.
Proof.
  induction xs as [|x xs IH]; intros ok mq memo Hpos Hmemo H; simpl in H.
  - split; [exact H | intros x []].
  - inversion Hpos as [|? ? Hx Hxs]; subst.
    destruct (Hdecode x Hx) as [HL HT].
    remember (residual_step R covers n (ok, mq, memo) x) as st eqn:Est.
    unfold residual_step in Est. cbv beta iota zeta in Est.
    set (T := decode (rl_V R) n x) in *. set (q := query_tok T) in *.
    set (memo1 := if q =? mq then memo else empty) in *.
    assert (Hm1 : memo_ok q memo1).
    { unfold memo1. destruct (Z.eqb_spec q mq) as [<-|_]; [exact Hmemo | apply memo_ok_empty]. }
    destruct (covers T) eqn:Ec.
    + subst st. apply IH in H; [destruct H as [H _]; discriminate | exact Hxs | exact Hm1].
    + destruct (filter_ok R T (max_tok T) q (weights_of R T)) eqn:Ef.
      * subst st. apply IH in H as [H1 H2]; [|exact Hxs | exact Hm1]. split; [exact H1|].
        intros y [<-|Hy]; [|apply H2, Hy]. split; [exact Ec|]. unfold proven_right. fold T q. now rewrite Ef.
      * destruct (term_vecs_spec T (max_tok T) memo1 Hm1 (max_tok_nonneg T) HT ltac:(lia)) as [V1 V2].
        fold q in V1, V2. destruct (term_vecs R T (max_tok T) q (weights_of R T) memo1) as [vecs memo'].
        simpl in V1, V2. subst st. apply IH in H as [H1 H2]; [|exact Hxs | exact V2].
        apply Bool.andb_true_iff in H1 as [H0 H1]. split; [exact H0|].
        intros y [<-|Hy]; [|apply H2, Hy]. split; [exact Ec|]. unfold proven_right. fold T q. rewrite Ef.
        rewrite <- V1. exact H1.
Qed.

End Memo.

(** ** The residual facts of a certificate the checker accepts *)

(** For any rule over V tokens and n positions and total V^n: the residual list that [check_input_claims]
    accepts gives [nres] distinct inputs below V^n, each proven right by §8 and not covered. Stated for
    the rule as a term (not through [accepted]), so that any instance of [Accepted] can use it. *)
Theorem residual_facts (R : rule) (V n : nat) (cov : list Z -> bool) (total : I.t) (res : option (list Z))
    (wr : option wrong_claim) (nres : Z) (nwrong : option Z) :
  (0 < V)%nat -> rl_V R = Z.of_nat V -> rl_n R = Z.of_nat n -> I.to_Z total = Z.of_nat (V ^ n) ->
  check_input_claims R cov n total res wr = Some (nres, nwrong) ->
  exists rs : list nat, NoDup rs /\ nres = Z.of_nat (length rs) /\
    forall x, In x rs -> (x < V ^ n)%nat /\ proven_right R (map Z.of_nat (tokens V n x)) = true /\
                         cov (map Z.of_nat (tokens V n x)) = false.
Proof.
  intros HV RV Rn Htotal Hin. unfold check_input_claims in Hin.
  destruct (indices total (match res with Some ds => ds | None => [] end)) as [rx|] eqn:Erx; [|discriminate].
  destruct (residual_ok R cov n rx) eqn:Eok; [|discriminate].
  assert (Hn : nres = lenZ rx).
  { destruct wr as [wc|].
    - destruct (indices total (wr_inputs wc)) as [wx|]; [|discriminate].
      destruct (wrong_ok R cov n rx wx (wr_witness wc)); [|discriminate]. injection Hin; auto.
    - injection Hin; auto. }
  exists (map to_nat rx). rewrite Hn, lenZ_length, map_length.
  destruct (indices_spec _ _ _ Erx) as (_ & Hrange & Hsorted).
  assert (Hpos : Forall (fun x => 0 <= I.to_Z x) rx)
    by (eapply Forall_impl; [|exact Hrange]; intros x Hx; cbv beta in *; lia).
  assert (Hdec : forall x, 0 <= I.to_Z x -> decode (rl_V R) n x = map Z.of_nat (tokens V n (to_nat x))).
  { intros x Hx. rewrite RV. apply decode_tokens; [lia | apply to_Z_to_nat, Hx]. }
  destruct (residual_fold R ltac:(rewrite RV; lia) ltac:(rewrite Rn; lia) cov n Rn) with
    (xs := rx) (ok := true) (mq := -1) (memo := @empty (list I.t)) as [_ Hall].
  - intros x Hx. rewrite Hdec by exact Hx. rewrite map_length, tokens_length. split; [reflexivity|].
    intros t Ht. apply in_map_iff in Ht as (t' & <- & Ht'). rewrite RV.
    unfold tokens in Ht'. apply in_map_iff in Ht' as (p & <- & _). pose proof (Nat.mod_upper_bound (to_nat x / V ^ p) V).
    lia.
  - exact Hpos.
  - apply memo_ok_empty.
  - exact Eok.
  - split; [apply sorted_lt_NoDup, sorted_to_nat; assumption|]. split; [reflexivity|].
    intros y Hy. apply in_map_iff in Hy as (x & <- & Hx). rewrite Forall_forall in Hrange, Hpos.
    specialize (Hall x Hx). rewrite Hdec in Hall by (apply Hpos, Hx). destruct Hall as [H1 H2].
    split; [|split; [exact H2 | exact H1]].
    specialize (Hrange x Hx). rewrite Htotal in Hrange. unfold to_nat. lia.
Qed.

Section Residual.
Variables (W : weights) (C : cert) (r : ival) (cr : cases_result I.t) (nres : Z) (nwrong : option Z).
Hypothesis A : accepted W C r cr nres nwrong.

Local Notation V := (d_vocab (cfg W)).
Local Notation n := (n_ctx (cfg W)).

(** The residual list decodes to [nres] distinct inputs below V^n, each covered by no case and right. *)
Theorem residual_sound : exists rs : list nat,
  NoDup rs /\ nres = Z.of_nat (length rs) /\
  forall x, In x rs ->
    (x < V ^ n)%nat /\
    covers (Z.of_nat V) (Z.of_nat n) (case_tab cr) (key_tab cr) (map Z.of_nat (tokens V n x)) = false /\
    right W x.
Proof.
  pose proof (dims' W C r cr nres nwrong A) as Hd.
  destruct (residual_facts (acc_R W r) V n _ (acc_total W) (residual C) (wrong C) nres nwrong ltac:(lia)
              eq_refl eq_refl (acc_total_spec W) (ac_inputs _ _ _ _ _ _ A)) as (rs & H1 & H2 & H3).
  exists rs. split; [exact H1|]. split; [exact H2|]. intros x Hx. destruct (H3 x Hx) as (E1 & E2 & E3).
  split; [exact E1|]. split; [exact E3|]. exact (proven_right_sound W C r cr nres nwrong A x E2).
Qed.

End Residual.
End ResidualSound.

(** The lower bound of the cubic cases (docs/certificate.md §4.3, §4.4, §9; coq-plan lemmas 6 to 8 put
    together): when [check_cases] accepts the cases, the inputs they cover plus a residual list of right
    inputs that no case covers number at most the right inputs.

    - [case_table_spec]: the checker's case table holds every entry under its key (q·V + m)·n + c, and no
      key twice, so the entries' (q, m, c) are distinct;
    - [covers_of_in_case]: an input that an entry covers in the sense of [Counting.in_case] is covered in
      the sense of the checker's [covers] (docs §9), so a residual input ([covers] false) is covered by
      no entry;
    - [single_of_in_case]: the one input of a c = 0 entry is (m, …, m, q), the input [case_ok] decides
      by the input rule (§8);
    - [cases_lower]: covered + |residual| ≤ correct_count, by [Counting.cubic_lower_bound].

    What it takes of the model, as Section hypotheses: the c ≥ 1 entries cover only right inputs
    ([CubicCase.case_right], itself against the model link), and an input the input rule proves right
    is right (the input rule, §8). *)
From Coq Require Import ZArith Lia List Bool.
From MechProof Require Import Int Table Arith Model Cert Matrices Inputs Cubic Statement NatCounts Counting
  UBound Coverage.
Import ListNotations.
Local Open Scope Z_scope.

Module CasesSound (I : INT) (Import K : CHECK I).
  Module Import CV := Coverage I K.

  Definition ekey (V n : Z) (e : case_entry) : Z := case_key V n (ce_q e) (ce_m e) (ce_c e).

  (** ** The case table *)

  Lemma case_table_spec (V n : Z) (es : list case_entry) : forall t tab,
    (forall e, In e es -> 0 <= ekey V n e) ->
    case_table V n es t = Some tab ->
    NoDup (map (ekey V n) es) /\ (forall e, In e es -> Table.find t (ekey V n e) = None) /\
    (forall e, In e es -> Table.find tab (ekey V n e) = Some e) /\
    (forall k v, Table.find t k = Some v -> Table.find tab k = Some v).
  Proof.
    induction es as [|e r IH]; intros t tab Hk Hc; simpl in Hc.
    - inversion Hc; subst. split; [constructor|]. split; [intros _ []|]. split; [intros _ []|]. auto.
    - fold (ekey V n e) in Hc. destruct (Table.find t (ekey V n e)) as [v|] eqn:Ef; [discriminate|].
      assert (Hke : 0 <= ekey V n e) by (apply Hk; now left).
      destruct (IH (set t (ekey V n e) e) tab (fun f Hf => Hk f (or_intror Hf)) Hc) as (Hnd & Hnone & Hsome & Hkeep).
      assert (Hne : forall f, In f r -> ekey V n e <> ekey V n f).
      { intros f Hf E. specialize (Hnone f Hf). rewrite find_set, E, Z.eqb_refl in Hnone by exact Hke. discriminate. }
      split; [|split; [|split]].
      + simpl. constructor; [|exact Hnd]. intros Hin. apply in_map_iff in Hin as (f & E & Hf).
        exact (Hne f Hf (eq_sym E)).
      + intros f [<-|Hf]; [exact Ef|]. specialize (Hnone f Hf). rewrite find_set in Hnone by exact Hke.
        destruct (Z.eqb_spec (ekey V n e) (ekey V n f)); [discriminate | exact Hnone].
      + intros f [<-|Hf]; [|now apply Hsome]. apply Hkeep. rewrite find_set, Z.eqb_refl by exact Hke. reflexivity.
      + intros k v' Hkv. apply Hkeep. rewrite find_set by exact Hke.
        destruct (Z.eqb_spec (ekey V n e) k) as [<-|]; [congruence | exact Hkv].
  Qed.

  Lemma ekey_nonneg (V n : Z) (e : case_entry) :
    0 <= V -> 0 <= n -> case_wf V n e = true -> 0 <= ekey V n e.
  Proof. intros HV Hn Hw. apply case_wf_spec in Hw. unfold ekey, case_key. nia. Qed.

  (** ** Inputs as the checker reads them *)

  Lemma lenZ_spec {A : Type} (l : list A) : lenZ l = Z.of_nat (length l).
  Proof.
    unfold lenZ. assert (H : forall acc, fold_left (fun k _ => Z.succ k) l acc = acc + Z.of_nat (length l)).
    { induction l as [|x l IH]; intros acc; simpl; [lia|]. rewrite IH. lia. }
    rewrite H. lia.
  Qed.

  Lemma forallb_map_of_nat (f : Z -> bool) (l : list nat) :
    forallb f (map Z.of_nat l) = forallb (fun t => f (Z.of_nat t)) l.
  Proof. induction l as [|x l IH]; simpl; [reflexivity | now rewrite IH]. Qed.

  (** An input an entry covers (in [Counting]'s sense) is covered in the checker's sense. *)
  Lemma covers_of_in_case (X : ctx) (V n : Z) (es : list case_entry) (tab : table case_entry)
      (e : case_entry) (T : list nat) :
    0 <= V -> 0 <= n -> forallb (case_wf V n) es = true -> case_table V n es empty = Some tab -> In e es ->
    in_case (Z.to_nat (ce_q e)) (Z.to_nat (ce_m e)) (Z.to_nat (ce_c e)) (Gof X e) T = true ->
    covers V n tab (keys_table X V es) (map Z.of_nat T) = true.
  Proof.
    intros HV Hn Hw Ht He Hin. rewrite forallb_forall in Hw.
    assert (Hwf : forall f, In f es -> 0 <= ce_q f /\ 0 <= ce_m f < V)
      by (intros f Hf; pose proof (case_wf_spec V n f (Hw f Hf)); lia).
    destruct (case_wf_spec V n e (Hw e He)) as (Hq & HmV & Hc & _).
    destruct (case_table_spec V n es empty tab (fun f Hf => ekey_nonneg V n f HV Hn (Hw f Hf)) Ht)
      as (_ & _ & Hsome & _).
    unfold in_case in Hin. rewrite !andb_true_iff, !Nat.eqb_eq in Hin. destruct Hin as [[[Hlast Hmax] Hcount] HG].
    unfold covers, max_tok, query_tok, non_query.
    rewrite list_max_of_nat, last_of_nat, removelast_map, Hmax, Hlast, !Z2Nat.id by lia.
    replace (filter (fun t => t <? ce_m e) (map Z.of_nat (removelast T)))
      with (map Z.of_nat (filter (fun t => (t <? Z.to_nat (ce_m e))%nat) (removelast T)))
      by (rewrite <- filter_below_of_nat, Z2Nat.id by lia; reflexivity).
    rewrite lenZ_spec, map_length, Hcount, Z2Nat.id by lia.
    fold (ekey V n e). rewrite (Hsome e He).
    change (ce_q e * V + ce_m e) with (qm_key V e). rewrite (keys_table_get X V es e Hwf He).
    rewrite forallb_map_of_nat. exact HG.
  Qed.

  Lemma map_repeat_of_nat (M k : nat) : map Z.of_nat (repeat M k) = repeat (Z.of_nat M) k.
  Proof. induction k as [|k IH]; simpl; [reflexivity | now rewrite IH]. Qed.

  (** A list of tokens all ≤ M, none below M, is M repeated. *)
  Lemma all_eq_repeat (M : nat) (l : list nat) :
    (forall t, In t l -> (t <= M)%nat) -> length (filter (fun t => (t <? M)%nat) l) = O -> l = repeat M (length l).
  Proof.
    induction l as [|t l IH]; intros Hle Hf; simpl; [reflexivity|].
    simpl in Hf. destruct (Nat.ltb_spec t M) as [H|H]; [discriminate|].
    assert (t = M) by (specialize (Hle t (or_introl eq_refl)); lia). subst t.
    f_equal. apply IH; [intros u Hu; apply Hle; now right | exact Hf].
  Qed.

  Lemma fold_max_in (l : list nat) (y : nat) : In y l -> (y <= fold_right Nat.max 0%nat l)%nat.
  Proof. induction l as [|a l IH]; simpl; [intros []|]. intros [<-|H]; [lia | specialize (IH H); lia]. Qed.

  (** The one input of a c = 0 entry (q, m, 0) is (m, …, m, q): [single_input]. *)
  Lemma single_of_in_case (n : nat) (q m : Z) (G : nat -> bool) (T : list nat) :
    (1 <= n)%nat -> length T = n -> 0 <= q -> 0 <= m ->
    in_case (Z.to_nat q) (Z.to_nat m) 0 G T = true -> map Z.of_nat T = single_input (Z.of_nat n) q m.
  Proof.
    intros Hn Hlen Hq Hm Hin. unfold in_case in Hin. rewrite !andb_true_iff, !Nat.eqb_eq in Hin.
    destruct Hin as [[[Hlast Hmax] Hcount] _].
    assert (HT : T = removelast T ++ [last T 0%nat]) by (apply app_removelast_last; intros ->; simpl in Hlen; lia).
    assert (Hrl : length (removelast T) = (n - 1)%nat)
      by (rewrite HT, app_length in Hlen; simpl in Hlen; rewrite HT, removelast_last; lia).
    assert (Hle : forall t, In t (removelast T) -> (t <= Z.to_nat m)%nat).
    { intros t Ht. rewrite <- Hmax. apply fold_max_in. rewrite HT. apply in_or_app. now left. }
    pose proof (all_eq_repeat _ _ Hle Hcount) as Hrep.
    rewrite HT, map_app, Hrep, Hrl, Hlast. unfold single_input. simpl. f_equal.
    - rewrite map_repeat_of_nat, Z2Nat.id by lia. f_equal. lia.
    - rewrite Z2Nat.id by lia. reflexivity.
  Qed.

  (** ** The lower bound *)
  Section Lower.
  Variable W : weights.
  Local Notation V := (d_vocab (cfg W)).
  Local Notation n := (n_ctx (cfg W)).
  Variable X : ctx.
  Variable es : list case_entry.
  Variable cr : cases_result I.t.
  Hypothesis Hn : (1 <= n)%nat.
  Hypothesis Hcheck : check_cases X (Z.of_nat V) (Z.of_nat n) es = Some cr.
  Hypothesis Hbinom : cx_binom X = of_list (pascal (Z.to_nat (Z.of_nat n - 1))).
  (** the c ≥ 1 entries cover only right inputs ([CubicCase.case_right]) *)
  Hypothesis case_pos : forall e x, In e es ->
    case_wf (Z.of_nat V) (Z.of_nat n) e = true -> case_ok X (Z.of_nat n) e = true -> ce_c e <> 0 ->
    (x < V ^ n)%nat ->
    in_case (Z.to_nat (ce_q e)) (Z.to_nat (ce_m e)) (Z.to_nat (ce_c e)) (Gof X e) (tokens V n x) = true ->
    right W x.
  (** the input rule (§8): an input proven right is right *)
  Hypothesis rule_right : forall x, (x < V ^ n)%nat ->
    proven_right (cx_rule X) (map Z.of_nat (tokens V n x)) = true -> right W x.

  Theorem cases_lower (res : list nat) :
    NoDup res ->
    (forall x, In x res -> (x < V ^ n)%nat /\ right W x /\
       covers (Z.of_nat V) (Z.of_nat n) (case_tab cr) (key_tab cr) (map Z.of_nat (tokens V n x)) = false) ->
    I.to_Z (covered cr) + Z.of_nat (length res) <= Z.of_nat (correct_count W).
  Proof.
    intros Hnd Hres.
    destruct (check_cases_some X _ _ es cr Hcheck) as (Hw & Ht & Hok & Hkt & _).
    rewrite (covered_spec X (Z.of_nat V) (Z.of_nat n) es cr ltac:(lia) Hbinom Hcheck), Nat2Z.id.
    assert (Hwf : forall e, In e es -> case_wf (Z.of_nat V) (Z.of_nat n) e = true) by now apply forallb_forall.
    assert (Hok' : forall e, In e es -> case_ok X (Z.of_nat n) e = true) by now apply forallb_forall.
    destruct (case_table_spec (Z.of_nat V) (Z.of_nat n) es empty (case_tab cr)
                (fun f Hf => ekey_nonneg (Z.of_nat V) (Z.of_nat n) f ltac:(lia) ltac:(lia) (Hwf f Hf)) Ht)
      as (Hnd_keys & _ & _ & _).
    rewrite <- Nat2Z.inj_add. apply Nat2Z.inj_le. unfold correct_count.
    apply (cubic_lower_bound V n (fun e => Z.to_nat (ce_q e)) (fun e => Z.to_nat (ce_m e)) (fun e => Z.to_nat (ce_c e))
             (Gof X) es (right_b W) res Hn).
    - (* distinct (q, m, c) *)
      apply (NoDup_map_inv (fun k : nat * nat * nat => let '(a, b, c) := k in
                              case_key (Z.of_nat V) (Z.of_nat n) (Z.of_nat a) (Z.of_nat b) (Z.of_nat c))).
      rewrite map_map. erewrite map_ext_in; [exact Hnd_keys|]. intros e He. simpl.
      destruct (case_wf_spec _ _ e (Hwf e He)) as (Hq & Hm & Hc & _). unfold ekey. rewrite !Z2Nat.id by lia.
      reflexivity.
    - intros e He. destruct (case_wf_spec _ _ e (Hwf e He)) as (Hq & Hm & Hc & Hcn).
      split; [lia|]. split; [lia|]. split; [intros k Hk; exact (Gnat_below _ _ _ _ k Hk)|].
      intros Hlt. destruct (Z.eqb_spec (ce_q e) (ce_m e)); lia.
    - intros e x He Hx Hin. apply right_b_spec.
      destruct (Z.eqb_spec (ce_c e) 0) as [Hc0|Hc0].
      + apply rule_right; [exact Hx|].
        destruct (case_wf_spec _ _ e (Hwf e He)) as (Hq & _ & _ & _).
        rewrite Hc0 in Hin. simpl in Hin.
        rewrite (single_of_in_case n (ce_q e) (ce_m e) (Gof X e) _ Hn (tokens_length V n x) ltac:(lia) ltac:(lia) Hin).
        pose proof (Hok' e He) as Hc. destruct e as [q m c kp kn]. simpl in *. subst c. unfold case_ok in Hc.
        cbv beta iota in Hc. rewrite Z.eqb_refl, !andb_true_iff in Hc. apply Hc.
      + exact (case_pos e x He (Hwf e He) (Hok' e He) Hc0 Hx Hin).
    - exact Hnd.
    - intros x Hx. destruct (Hres x Hx) as (HxV & Hr & Hcov). split; [exact HxV|]. split; [now apply right_b_spec|].
      intros e He. apply not_true_is_false. intros Hin. rewrite Hkt in Hcov.
      rewrite (covers_of_in_case X (Z.of_nat V) (Z.of_nat n) es (case_tab cr) e (tokens V n x)
                 ltac:(lia) ltac:(lia) Hw Ht He Hin) in Hcov.
      discriminate.
  Qed.
  End Lower.

End CasesSound.

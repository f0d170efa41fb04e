(** The counting facts of docs §9 (coq-plan lemma 8): how many inputs a cubic case covers, that
    distinct cases cover disjoint sets, and the two bounds on the number of right inputs.

    Inputs are Model.v's: an index x in [0, V^n) whose token at position p is (x / V^p) mod V
    (position 0 the least significant digit, the query at position n − 1). [tokens V n x] lists them,
    position 0 first; the number of inputs with a property is a filter-length over [seq 0 (V ^ n)], as
    Model.v's [correct_count] is.

    - [shape_count]: among the token sequences of length L, those in which exactly c positions hold a
      token of G (a boolean test on tokens, all below m) and the other L − c hold m number
      [binom L c · |G|^c].
    - [entry_coverage]: so an entry (q, m, c, G) of the cubic cases covers exactly C(n−1, c)·|G|^c inputs
      ([in_case], the coverage test of docs §9 and Cubic.v's [covers]: query q, max token m, c
      non-query positions below m, each in G). For q < m this needs c ≤ n − 2: some non-query position
      then holds m.
    - [input_case_of]: (q, m, c) is a function of the input, so entries with distinct (q, m, c) cover
      disjoint sets ([count_cases]).
    - [cases_lower_bound]: if every covered input is right, the right inputs number at least the sum
      of the entries' coverages plus the length of a duplicate-free list of further right inputs that
      no entry covers (the residual list); [wrong_upper_bound]: a duplicate-free list of inputs that
      are not right leaves at most V^n minus its length; [cubic_lower_bound] puts the first together
      with [entry_coverage] for the cubic entries. *)
From Coq Require Import Arith ZArith Bool Lia List.
From MechProof Require Import NatCounts.
Import ListNotations.
Local Open Scope bool_scope.

(** ** The tokens of an input *)

(** The n tokens of input x, position 0 first: the p-th is its p-th base-V digit (Model.v's
    [token x p]). *)
Definition tokens (V n x : nat) : list nat := map (fun p => (x / V ^ p) mod V) (seq 0 n).

Lemma tokens_length (V n x : nat) : length (tokens V n x) = n.
Proof. unfold tokens. now rewrite map_length, seq_length. Qed.

(** The input t·V^L + y, with y < V^L and t < V, has the tokens of y followed by t. *)
Lemma tokens_block (V L t y : nat) : y < V ^ L -> t < V -> tokens V (S L) (t * V ^ L + y) = tokens V L y ++ [t].
Proof.
  intros Hy Ht. assert (HV : V <> 0) by lia.
  unfold tokens. rewrite seq_S, map_app, Nat.add_0_l. cbn [map]. f_equal; [|f_equal].
  - apply map_ext_in. intros p Hp. apply in_seq in Hp as [_ Hp].
    assert (Hpow : V ^ L = V ^ (L - S p) * V * V ^ p).
    { replace L with (L - S p + 1 + p) at 1 by lia. now rewrite !Nat.pow_add_r, Nat.pow_1_r. }
    assert (Hp0 : V ^ p <> 0) by (apply Nat.pow_nonzero, HV).
    rewrite Hpow, !Nat.mul_assoc, (Nat.div_add_l (t * V ^ (L - S p) * V) (V ^ p) y Hp0).
    rewrite Nat.add_comm, Nat.mod_add by exact HV. reflexivity.
  - rewrite (Nat.div_add_l t (V ^ L) y (Nat.pow_nonzero V L HV)).
    rewrite (Nat.div_small y) by exact Hy. rewrite Nat.add_0_r. f_equal. now apply Nat.mod_small.
Qed.

(** Token p of the list is Model.v's [token x p]; the last is the query, the others the non-query
    tokens. *)
Lemma nth_tokens (V n x p : nat) : p < n -> nth p (tokens V n x) 0 = (x / V ^ p) mod V.
Proof.
  intros Hp. unfold tokens.
  rewrite (nth_indep _ 0 ((x / V ^ 0) mod V)) by (rewrite map_length, seq_length; lia).
  rewrite (map_nth (fun q => (x / V ^ q) mod V) (seq 0 n) 0 p), seq_nth by exact Hp. reflexivity.
Qed.

Lemma tokens_S (V L x : nat) : tokens V (S L) x = tokens V L x ++ [(x / V ^ L) mod V].
Proof. unfold tokens. now rewrite seq_S, map_app. Qed.

Lemma last_tokens (V L x : nat) : last (tokens V (S L) x) 0 = (x / V ^ L) mod V.
Proof. now rewrite tokens_S, last_last. Qed.

Lemma removelast_tokens (V L x : nat) : removelast (tokens V (S L) x) = tokens V L x.
Proof. now rewrite tokens_S, removelast_last. Qed.

(** Counting inputs of length L + 1 by their last token t and the index y < V^L of the others. *)
Lemma count_inputs_last (V L : nat) (P : list nat -> bool) :
  length (filter (fun x => P (tokens V (S L) x)) (seq 0 (V ^ S L))) =
  nsum (fun t => length (filter (fun y => P (tokens V L y ++ [t])) (seq 0 (V ^ L)))) (seq 0 V).
Proof.
  change (V ^ S L) with (V * V ^ L). rewrite count_blocks. apply nsum_ext_in. intros t Ht.
  apply in_seq in Ht as [_ Ht]. apply count_ext_in. intros y Hy. apply in_seq in Hy as [_ Hy].
  now rewrite tokens_block.
Qed.

(** ** Token sequences with c tokens of G and the rest m *)

(** Each token is in G or is m, and exactly c are in G. *)
Definition shape (m : nat) (G : nat -> bool) (c : nat) (T : list nat) : bool :=
  (length (filter G T) =? c) && forallb (fun t => G t || (t =? m)) T.

(** One more token at the end: of G (one fewer of G before it), m (as many), or neither (none). *)
Lemma shape_snoc (m : nat) (G : nat -> bool) (c : nat) (T : list nat) (t : nat) :
  G m = false ->
  shape m G c (T ++ [t]) =
  if G t then match c with O => false | S c' => shape m G c' T end
  else if t =? m then shape m G c T else false.
Proof.
  intros Gm. unfold shape. rewrite filter_app, app_length, forallb_app. simpl.
  destruct (G t) eqn:Gt.
  - rewrite Bool.andb_true_r. simpl. destruct c as [|c].
    + rewrite Nat.add_1_r. reflexivity.
    + rewrite Nat.add_1_r. reflexivity.
  - destruct (Nat.eqb_spec t m) as [->|Hne].
    + rewrite Nat.add_0_r, Bool.andb_true_r. reflexivity.
    + rewrite !Bool.andb_false_r. reflexivity.
Qed.

(** The number of tokens below V in G. *)
Definition gsize (V : nat) (G : nat -> bool) : nat := length (filter G (seq 0 V)).

(** Σ over tokens t < V of (a if t ∈ G, b if t = m, else 0) = |G|·a + b, for m < V not in G. *)
Lemma nsum_G_or_m (V m : nat) (G : nat -> bool) (a b : nat) :
  m < V -> (forall k, G k = true -> k <> m) ->
  nsum (fun t => if G t then a else if t =? m then b else 0) (seq 0 V) = gsize V G * a + b.
Proof.
  intros HmV HG.
  rewrite (nsum_ext_in _ (fun t => (if G t then a else 0) + (if t =? m then b else 0))).
  - rewrite nsum_plus, !nsum_if, count_eq_seq by exact HmV. unfold gsize. lia.
  - intros t _. destruct (G t) eqn:Gt; [|reflexivity].
    destruct (Nat.eqb_spec t m) as [E|E]; [exfalso; exact (HG t Gt E) | lia].
Qed.

(** Among the inputs of length L, those of the given shape number C(L, c)·|G|^c. *)
Theorem shape_count (V m : nat) (G : nat -> bool) :
  m < V -> (forall k, G k = true -> k < m) ->
  forall L c, length (filter (fun x => shape m G c (tokens V L x)) (seq 0 (V ^ L))) = binom L c * gsize V G ^ c.
Proof.
  intros HmV HG. assert (HGm : forall k, G k = true -> k <> m) by (intros k Hk; specialize (HG k Hk); lia).
  assert (Gm : G m = false) by (destruct (G m) eqn:E; [destruct (HGm m E eq_refl) | reflexivity]).
  induction L as [|L IH]; intros c.
  - simpl. unfold shape. simpl. destruct c; reflexivity.
  - rewrite count_inputs_last.
    rewrite (nsum_ext_in _ (fun t => if G t then match c with O => 0 | S c' => binom L c' * gsize V G ^ c' end
                                     else if t =? m then binom L c * gsize V G ^ c else 0)).
    + rewrite nsum_G_or_m by assumption. destruct c as [|c].
      * rewrite !binom_0_r. simpl. lia.
      * rewrite binom_pascal. simpl. lia.
    + intros t _.
      rewrite (count_ext_in _ (fun y => if G t then match c with O => false | S c' => shape m G c' (tokens V L y) end
                                      else if t =? m then shape m G c (tokens V L y) else false))
        by (intros y _; now apply shape_snoc).
      destruct (G t); [destruct c as [|c]; [apply count_false | apply IH]|].
      destruct (t =? m); [apply IH | apply count_false].
Qed.

(** |G| counted below m or below any V ≥ m, when every token of G is below m. *)
Lemma gsize_below (V m : nat) (G : nat -> bool) :
  (forall k, G k = true -> k < m) -> m <= V -> gsize V G = gsize m G.
Proof.
  intros HG HmV. unfold gsize. replace V with (m + (V - m)) by lia. rewrite seq_app, count_app.
  rewrite (count_ext_in G (fun _ => false) (seq (0 + m) _)).
  - rewrite count_false. lia.
  - intros t Ht. apply in_seq in Ht. destruct (G t) eqn:E; [specialize (HG t E); lia | reflexivity].
Qed.

(** ** The inputs a cubic case covers *)

(** The max token of a list of tokens is the standard library's [list_max] (fold_right Nat.max 0):
    Model.v's [max_token] is [list_max (tokens V n x)]. *)
Lemma list_max_snoc (T : list nat) (t : nat) : list_max (T ++ [t]) = Nat.max (list_max T) t.
Proof. rewrite list_max_app. simpl. lia. Qed.

Lemma le_list_max (T : list nat) (t : nat) : In t T -> t <= list_max T.
Proof. induction T as [|a T IH]; simpl; [tauto|]. intros [->|H]; [lia | specialize (IH H); lia]. Qed.

Lemma list_max_le_all (T : list nat) (k : nat) : (forall t, In t T -> t <= k) -> list_max T <= k.
Proof.
  induction T as [|a T IH]; simpl; intros H; [lia|].
  assert (a <= k) by (apply H; now left). assert (list_max T <= k) by (apply IH; intros; apply H; now right). lia.
Qed.

(** The case of an input (docs §9): (q, m, c) = (its query token, its max token, the number of its
    non-query tokens below the max). *)
Definition input_case (T : list nat) : nat * nat * nat :=
  (last T 0, list_max T, length (filter (fun t => t <? list_max T) (removelast T))).

(** The coverage test of docs §9 for the cubic entry (q, m, c) with token set G: the input's case is
    (q, m, c) and each of its non-query tokens below m is in G (Cubic.v's [covers], which finds the
    entry by the input's case). *)
Definition in_case (q m c : nat) (G : nat -> bool) (T : list nat) : bool :=
  (last T 0 =? q) && (list_max T =? m) && (length (filter (fun t => t <? m) (removelast T)) =? c) &&
  forallb G (filter (fun t => t <? m) (removelast T)).

Lemma input_case_of (q m c : nat) (G : nat -> bool) (T : list nat) : in_case q m c G T = true -> input_case T = (q, m, c).
Proof.
  unfold in_case, input_case. intros H. rewrite !andb_true_iff, !Nat.eqb_eq in H.
  destruct H as [[[-> ->] <-] _]. reflexivity.
Qed.

(** On tokens all ≤ m, G (whose tokens are below m) holds exactly below m when every token below m is in G. *)
Lemma filter_G_lt (m : nat) (G : nat -> bool) (T : list nat) :
  (forall k, G k = true -> k < m) -> (forall t, In t T -> t <= m) -> (forall t, In t T -> t < m -> G t = true) ->
  filter G T = filter (fun t => t <? m) T.
Proof.
  intros HG Hle Hlt. apply filter_ext_in. intros t Ht.
  destruct (Nat.ltb_spec t m) as [H|H]; [now apply Hlt|].
  destruct (G t) eqn:E; [specialize (HG t E); lia | reflexivity].
Qed.

(** With the query token q ≤ m appended, the coverage test is the shape test of the non-query tokens.
    For q < m this needs c below the number of non-query positions, so that one of them holds m. *)
Lemma in_case_snoc (q m c : nat) (G : nat -> bool) (T : list nat) (t : nat) :
  q <= m -> (forall k, G k = true -> k < m) -> (q < m -> c < length T) ->
  in_case q m c G (T ++ [t]) = (t =? q) && shape m G c T.
Proof.
  intros Hqm HG Hc. unfold in_case. rewrite last_last, removelast_last, list_max_snoc.
  destruct (Nat.eqb_spec t q) as [->|Hne]; [simpl | reflexivity].
  apply Bool.eq_iff_eq_true. unfold shape. rewrite !andb_true_iff, !Nat.eqb_eq, !forallb_forall. split.
  - intros [[Hmax Hcnt] Hall].
    assert (Hle : forall t, In t T -> t <= m) by (intros t Ht; pose proof (le_list_max T t Ht); lia).
    assert (Hlt : forall t, In t T -> t < m -> G t = true).
    { intros t Ht Htm. apply Hall, filter_In. split; [exact Ht | now apply Nat.ltb_lt]. }
    split; [now rewrite (filter_G_lt m G T HG Hle Hlt)|].
    intros t Ht. destruct (Nat.ltb_spec t m) as [H|H].
    + now rewrite (Hlt t Ht H).
    + specialize (Hle t Ht). replace t with m by lia. now rewrite Nat.eqb_refl, Bool.orb_true_r.
  - intros [Hcnt Hall].
    assert (Hle : forall t, In t T -> t <= m).
    { intros t Ht. specialize (Hall t Ht). apply orb_true_iff in Hall as [H|H];
        [specialize (HG t H); lia | apply Nat.eqb_eq in H; lia]. }
    assert (Hlt : forall t, In t T -> t < m -> G t = true).
    { intros t Ht Htm. specialize (Hall t Ht). apply orb_true_iff in Hall as [H|H]; [exact H|].
      apply Nat.eqb_eq in H. lia. }
    rewrite (filter_G_lt m G T HG Hle Hlt) in Hcnt. split; [split|].
    + apply Nat.le_antisymm; [apply Nat.max_lub; [now apply list_max_le_all | exact Hqm]|].
      destruct (Nat.eq_dec q m) as [->|Hqm']; [apply Nat.le_max_r|].
      (* q < m: some non-query token is not in G, so it is m *)
      assert (Hrest : length (filter (fun t => negb (G t)) T) <> 0).
      { pose proof (count_negb G T). rewrite (filter_G_lt m G T HG Hle Hlt) in H.
        specialize (Hc ltac:(lia)). lia. }
      destruct (filter (fun t => negb (G t)) T) as [|t rest] eqn:E; [simpl in Hrest; lia|].
      assert (Ht : In t (filter (fun t => negb (G t)) T)) by (rewrite E; now left).
      apply filter_In in Ht as [Ht HGt]. apply Bool.negb_true_iff in HGt.
      specialize (Hall t Ht). rewrite HGt in Hall. apply Nat.eqb_eq in Hall. subst t.
      pose proof (le_list_max T m Ht). lia.
    + exact Hcnt.
    + intros t Ht. apply filter_In in Ht as [Ht Htm]. apply Nat.ltb_lt in Htm. now apply Hlt.
Qed.

(** An entry (q, m, c, G) covers C(n−1, c)·|G|^c inputs (|G| counted below m, as Cubic.v's
    [G_size] does). *)
Theorem entry_coverage (V n q m c : nat) (G : nat -> bool) :
  q <= m -> m < V -> (forall k, G k = true -> k < m) -> 1 <= n -> (q < m -> c + 2 <= n) ->
  length (filter (fun x => in_case q m c G (tokens V n x)) (seq 0 (V ^ n))) = binom (n - 1) c * gsize m G ^ c.
Proof.
  intros Hqm HmV HG Hn Hc. destruct n as [|L]; [lia|]. replace (S L - 1) with L by lia.
  rewrite count_inputs_last, <- (gsize_below V m G HG ltac:(lia)).
  rewrite (nsum_ext_in _ (fun t => if t =? q then binom L c * gsize V G ^ c else 0)).
  - rewrite nsum_if.
    rewrite count_eq_seq by lia. lia.
  - intros t _.
    rewrite (count_ext_in _ (fun y => (t =? q) && shape m G c (tokens V L y))).
    + destruct (t =? q); [apply shape_count; assumption | apply count_false].
    + intros y _. apply in_case_snoc; [exact Hqm | exact HG |]. rewrite tokens_length. lia.
Qed.

(** ** Disjoint cases and the bounds on the number of right inputs *)

(** Entries whose keys are distinct, each covering only inputs of its own key, cover disjoint sets:
    the number of indices covered by some entry is the sum of the entries' coverages. *)
Lemma count_cases {E K : Type} (ekey : E -> K) (kx : nat -> K) (cov : E -> nat -> bool) (es : list E)
    (xs : list nat) :
  NoDup (map ekey es) -> (forall e x, In e es -> cov e x = true -> ekey e = kx x) ->
  length (filter (fun x => existsb (fun e => cov e x) es) xs) = nsum (fun e => length (filter (fun x => cov e x) xs)) es.
Proof.
  induction es as [|e es IH]; intros Hnd Hkey; simpl.
  - apply count_false.
  - simpl in Hnd. apply NoDup_cons_iff in Hnd as [Hout Hnd].
    rewrite count_or_disjoint, IH;
      [reflexivity | exact Hnd | intros e' x He' Hx; apply Hkey; [now right | exact Hx] |].
    intros x _ Hx. apply Bool.not_true_iff_false. intros Hex. apply existsb_exists in Hex as (e' & He' & Hx').
    apply Hout. rewrite (Hkey e x (or_introl eq_refl) Hx), <- (Hkey e' x (or_intror He') Hx').
    now apply in_map.
Qed.

(** The lower bound: if every index below N that an entry covers is right, then the right indices
    number at least the entries' coverages summed, plus the residual list's length — when the entries
    have distinct keys and cover only their own, and the residual list is duplicate-free, below N,
    right, and covered by no entry. *)
Theorem cases_lower_bound {E K : Type} (ekey : E -> K) (kx : nat -> K) (cov : E -> nat -> bool) (es : list E)
    (N : nat) (right : nat -> bool) (res : list nat) :
  NoDup (map ekey es) -> (forall e x, In e es -> cov e x = true -> ekey e = kx x) ->
  (forall e x, In e es -> x < N -> cov e x = true -> right x = true) ->
  NoDup res -> (forall x, In x res -> x < N /\ right x = true /\ forall e, In e es -> cov e x = false) ->
  nsum (fun e => length (filter (fun x => cov e x) (seq 0 N))) es + length res
  <= length (filter right (seq 0 N)).
Proof.
  intros Hnd Hkey Hright Hres Hres'.
  rewrite <- (count_cases ekey kx cov es (seq 0 N) Hnd Hkey).
  rewrite <- (count_members N res Hres (fun x Hx => proj1 (Hres' x Hx))).
  rewrite <- count_or_disjoint.
  - apply count_mono. intros x Hx Hor. apply in_seq in Hx as [_ Hx].
    apply orb_true_iff in Hor as [Hc|Hm].
    + apply existsb_exists in Hc as (e & He & Hc). now apply (Hright e).
    + apply existsb_exists in Hm as (y & Hy & Ey). apply Nat.eqb_eq in Ey. subst y. apply Hres', Hy.
  - intros x _ Hc. apply Bool.not_true_iff_false. intros Hm.
    apply existsb_exists in Hc as (e & He & Hc). apply existsb_exists in Hm as (y & Hy & Ey).
    apply Nat.eqb_eq in Ey. subst y. destruct (Hres' x Hy) as (_ & _ & Hnot).
    rewrite (Hnot e He) in Hc. discriminate.
Qed.

(** The upper bound: a duplicate-free list of indices below N that are not right leaves at most N
    minus its length right ones. *)
Theorem wrong_upper_bound (N : nat) (right : nat -> bool) (wrong : list nat) :
  NoDup wrong -> (forall x, In x wrong -> x < N /\ right x = false) ->
  length (filter right (seq 0 N)) <= N - length wrong.
Proof.
  intros Hnd Hw. pose proof (count_negb right (seq 0 N)) as Hsplit. rewrite seq_length in Hsplit.
  rewrite <- (count_members N wrong Hnd (fun x Hx => proj1 (Hw x Hx))).
  assert (length (filter (fun x => existsb (Nat.eqb x) wrong) (seq 0 N))
          <= length (filter (fun x => negb (right x)) (seq 0 N))).
  { apply count_mono. intros x _ Hm. apply existsb_exists in Hm as (y & Hy & Ey).
    apply Nat.eqb_eq in Ey. subst y. now rewrite (proj2 (Hw x Hy)). }
  lia.
Qed.

(** The lower bound for the cubic cases over Model.v's inputs: entries (q, m, c, G) with distinct
    (q, m, c), well-formed as the checker requires (q ≤ m < V, G below m, c ≤ n − 2 when q < m), every
    covered input right, and a residual list as in [cases_lower_bound], give
    Σ_entries C(n−1, c)·|G|^c + |residual| ≤ the number of right inputs. *)
Theorem cubic_lower_bound {E : Type} (V n : nat) (qof mof cof : E -> nat) (Gof : E -> nat -> bool) (es : list E)
    (right : nat -> bool) (res : list nat) :
  1 <= n ->
  NoDup (map (fun e => (qof e, mof e, cof e)) es) ->
  (forall e, In e es ->
     qof e <= mof e /\ mof e < V /\ (forall k, Gof e k = true -> k < mof e) /\ (qof e < mof e -> cof e + 2 <= n)) ->
  (forall e x, In e es -> x < V ^ n -> in_case (qof e) (mof e) (cof e) (Gof e) (tokens V n x) = true -> right x = true) ->
  NoDup res ->
  (forall x, In x res -> x < V ^ n /\ right x = true /\
     forall e, In e es -> in_case (qof e) (mof e) (cof e) (Gof e) (tokens V n x) = false) ->
  nsum (fun e => binom (n - 1) (cof e) * gsize (mof e) (Gof e) ^ cof e) es + length res
  <= length (filter right (seq 0 (V ^ n))).
Proof.
  intros Hn Hnd Hwf Hright Hres Hres'.
  rewrite (nsum_ext_in _ (fun e => length (filter (fun x => in_case (qof e) (mof e) (cof e) (Gof e) (tokens V n x))
                                                  (seq 0 (V ^ n))))).
  - apply (cases_lower_bound (fun e => (qof e, mof e, cof e)) (fun x => input_case (tokens V n x))); try assumption.
    intros e x _ Hc. symmetry. now apply input_case_of in Hc.
  - intros e He. destruct (Hwf e He) as (Hqm & HmV & HG & Hc). symmetry. now apply entry_coverage.
Qed.

(** ** From the checker's integer tokens

    The checker decodes an input into a list of [Z]; on [map Z.of_nat] of these tokens its max (a
    [fold_left Z.max] from 0), query ([last]), non-query tokens ([removelast]) and tokens below m are
    those of this file. *)
Lemma fold_left_Zmax_of_nat (T : list nat) (a : nat) :
  fold_left Z.max (map Z.of_nat T) (Z.of_nat a) = Z.of_nat (Nat.max a (list_max T)).
Proof.
  revert a. induction T as [|t T IH]; intros a; simpl.
  - now rewrite Nat.max_0_r.
  - rewrite <- Nat2Z.inj_max, IH. f_equal. lia.
Qed.

Lemma list_max_of_nat (T : list nat) : fold_left Z.max (map Z.of_nat T) 0%Z = Z.of_nat (list_max T).
Proof. apply (fold_left_Zmax_of_nat T 0). Qed.

Lemma last_of_nat (T : list nat) : last (map Z.of_nat T) 0%Z = Z.of_nat (last T 0).
Proof. induction T as [|t [|u T] IH]; [reflexivity | reflexivity | exact IH]. Qed.

Lemma removelast_map {A B : Type} (f : A -> B) (l : list A) : removelast (map f l) = map f (removelast l).
Proof. induction l as [|a [|b l] IH]; [reflexivity | reflexivity | simpl in *; now rewrite IH]. Qed.

Lemma filter_below_of_nat (m : nat) (T : list nat) :
  filter (fun t => (t <? Z.of_nat m)%Z) (map Z.of_nat T) = map Z.of_nat (filter (fun t => t <? m) T).
Proof.
  induction T as [|t T IH]; simpl; [reflexivity|].
  replace (Z.of_nat t <? Z.of_nat m)%Z with (t <? m).
  - destruct (t <? m); simpl; now rewrite IH.
  - destruct (Nat.ltb_spec t m), (Z.ltb_spec (Z.of_nat t) (Z.of_nat m)); lia.
Qed.

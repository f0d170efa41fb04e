"""The 100 subcubic variants (docs/paper.md §5.4): 5 direct-path rules × 2 attention rules × 10 QK rules."""

from __future__ import annotations

from dataclasses import dataclass

EUPU_OPTIONS = {
    "mq": "mean_query+max_diff",
    "sq": "svd_query+max_diff",
    "md": "max_diff",
    "mx": "max_diff_exact",
    "gx": "global_max_diff_exact",
}
ATTENTION_OPTIONS = {"avg": "mean_query+diff", "drop": "drop_average_query_per_output_logit_reasoning"}
QK_OPTIONS = {
    "svd": "svd",
    "md": "max_diff",
    "mmd": "mean+max_diff",
    "mdx": "max_diff_exact",
    "sp": "max_diff_subproduct",
    "msp": "mean+max_diff_subproduct",
    "spr": "max_diff_subproduct_recursive",
    "mspr": "mean+max_diff_subproduct_recursive",
    "mrspr": "mean_recursive+max_diff_subproduct_recursive",
    "exact": "exact_EQKE+max_diff_exact",
}
RECURSIVE = {
    "max_diff_subproduct_recursive",
    "mean+max_diff_subproduct_recursive",
    "mean_recursive+max_diff_subproduct_recursive",
}
SPLIT = {"max_diff", "max_diff_subproduct", "mean+max_diff", "mean+max_diff_subproduct"}
ATTN_DVDM2 = {"svd"} | SPLIT
DIRECT_QUADRATIC = {"mean_query+max_diff", "svd_query+max_diff", "max_diff"}


@dataclass(frozen=True)
class Variant:
    """One of the 100 subcubic strategies, by its three option codes."""

    eupu: str
    attention: str
    qk: str

    @property
    def key(self) -> str:
        """Registry name and certificate file stem: subcubic-<eupu>-<attention>-<qk> in the short codes."""
        return f"subcubic-{self.eupu}-{self.attention}-{self.qk}"

    @property
    def names(self) -> tuple[str, str, str]:
        return EUPU_OPTIONS[self.eupu], ATTENTION_OPTIONS[self.attention], QK_OPTIONS[self.qk]

    @property
    def group(self) -> str:
        """The paper's plot groups (docs/paper.md §5.4): attention and direct-path tags, or plain "subcubic"."""
        eupu, _, qk = self.names
        tags = []
        if qk in RECURSIVE:
            tags.append("attention-quadratic")
        elif qk in ATTN_DVDM2:
            tags.append("attention-d_vocab·d_model²")
        if eupu in DIRECT_QUADRATIC:
            tags.append("direct-quadratic")
        return " + ".join(tags) if tags else "subcubic"

    @property
    def complexity(self) -> str:
        eupu, _, qk = self.names
        if qk in RECURSIVE:
            qk_cost = "V·d"
        elif qk in ("max_diff_exact", "exact_EQKE+max_diff_exact"):
            qk_cost = "V²·d"
        else:
            qk_cost = "V·d² + d³"
        eu_cost = "V·d" if eupu in DIRECT_QUADRATIC else "V²·d"
        return f"O(V²·n² + V²·d (EVOU) + {qk_cost} (QK) + {eu_cost} (EU))"


VARIANTS: tuple[Variant, ...] = tuple(Variant(e, a, q) for e in EUPU_OPTIONS for a in ATTENTION_OPTIONS for q in QK_OPTIONS)

"""The DanQ paper (Quang & Xie 2016): per-target AUCs against a published table, motif counts."""

"""Shadow traffic: live requests answered by the primary, copies compared on a candidate."""

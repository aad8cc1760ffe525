"""What happens to findings after evaluation: waivers, baselines, acceptance, and diffs
between two scans."""

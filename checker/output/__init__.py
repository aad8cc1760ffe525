"""Where reports go besides stdout: report files, the job summary, AWS Security Hub."""

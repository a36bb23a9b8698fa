"""The weekly digest: the ranking's moves, the stations that fell most, alerts still open,
overdue directions and the week's count of feedback, for the Commissioner's office (the
city) or a DCP (their zone), as a PDF in Hindi and English."""

"""What every writer shares: the records it is fed, the report, the writer base class, staging."""

(a
 b)
	(c)d
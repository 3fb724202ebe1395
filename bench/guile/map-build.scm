;;; map-build: fill a (mutable) hash table with 100,000 entries i -> i*2,
;;; then sum its values.  Guile's core has no persistent map; a hash table
;;; is its idiom.
(use-modules (common))

(bench (lambda ()
         (let ((m (make-hash-table)))
           (let loop ((i 0))
             (when (< i 100000)
               (hashv-set! m i (* i 2))
               (loop (+ i 1))))
           (hash-fold (lambda (k v sum) (+ sum v)) 0 m))))

;;; map-build.el --- 100,000-entry hash table, then the sum of its values  -*- lexical-binding: t -*-
;; Emacs Lisp has no persistent map; a (mutable) hash table is its idiom.
;;; Code:
(require 'bench-common)

(bench-run (lambda ()
             (let ((m (make-hash-table :test #'eql))
                   (sum 0))
               (dotimes (i 100000)
                 (puthash i (* i 2) m))
               (maphash (lambda (_k v) (setq sum (+ sum v))) m)
               sum)))
;;; map-build.el ends here

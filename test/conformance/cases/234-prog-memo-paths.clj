(def paths (memoize (fn [r c] (if (or (zero? r) (zero? c)) 1 (+ (paths (dec r) c) (paths r (dec c)))))))
(prn (paths 2 2) (paths 3 3) (paths 10 10) (paths 16 16))
(def lcs (memoize (fn [a b]
  (cond (or (empty? a) (empty? b)) 0
        (= (first a) (first b)) (inc (lcs (rest a) (rest b)))
        :else (max (lcs (rest a) b) (lcs a (rest b)))))))
(prn (lcs "ABCBDAB" "BDCABA"))
(prn (lcs "kitten" "sitting"))

(defn compress [s]
  (apply str (mapcat (fn [g] (if (> (count g) 1) [(first g) (count g)] [(first g)])) (partition-by identity s))))
(prn (compress "aabcccccaaa") (compress "abc") (compress ""))
(defn expand [s]
  (apply str (mapcat (fn [[_ c n]] (repeat (if (empty? n) 1 (parse-long n)) c)) (re-seq #"(\D)(\d*)" s))))
(prn (expand "a2bc5a3"))
(prn (= "aabcccccaaa" (expand (compress "aabcccccaaa"))))

(def inventory [{:item "apple" :qty 5 :price 2} {:item "pear" :qty 0 :price 3}
                {:item "kiwi" :qty 12 :price 1} {:item "plum" :qty 3 :price 4}])
(prn (map :item (filter #(pos? (:qty %)) inventory)))
(prn (reduce + (map #(* (:qty %) (:price %)) inventory)))
(prn (:item (apply max-key :qty inventory)))
(prn (into {} (map (juxt :item :qty) inventory)))
(prn (mapv :item (sort-by :price > inventory)))
(prn (update-in (vec inventory) [1 :qty] + 10))
